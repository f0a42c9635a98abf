"""POST /api/me/record/merge-requests/: the signed-in owner says another record is also them.

The body names the other record (``researcher``, its id) and may carry a ``note`` for staff.
201 with the request when it was ``applied`` (merged at once: the other record carries the ORCID
iD you signed in with); 202 when it is ``pending`` (staff will decide); 409 with the reason when
it is refused (the record is someone else's, or the two carry different ORCID iDs) or the same
request already waits for staff; 400 for an unknown, merged or your own record.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bzpeer.api.errors import ErrorSerializer
from claims import merge_requests
from claims.api.corrections import owned_record_or_403, refusal
from claims.corrections import CorrectionError
from claims.models import MergeRequest


class MergeRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = MergeRequest
        fields = ["id", "record", "other", "status", "note", "reason", "created_at", "decided_at"]
        read_only_fields = fields


MERGE_REQUEST_BODY = inline_serializer(
    "MergeRequestBody",
    {
        "researcher": serializers.IntegerField(help_text="The id of the record that is also you."),
        "note": serializers.CharField(required=False, help_text="What staff should know."),
    },
)


class MergeRequests(APIView):
    """Ask for another record to be merged into yours."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=MERGE_REQUEST_BODY,
        responses={
            201: MergeRequestSerializer,
            202: MergeRequestSerializer,
            400: ErrorSerializer,
            401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
            403: OpenApiResponse(ErrorSerializer, description="You own no record."),
            409: OpenApiResponse(ErrorSerializer, description="Refused, or waiting already."),
            429: OpenApiResponse(ErrorSerializer, description="Too many corrections today."),
        },
    )
    def post(self, request):
        researcher = owned_record_or_403(request.user)
        data = request.data if hasattr(request.data, "get") else {}
        try:
            merge_request = merge_requests.request_merge(
                request.user, researcher, data.get("researcher"), str(data.get("note") or "")
            )
        except CorrectionError as error:
            return refusal(error)
        body = MergeRequestSerializer(merge_request).data
        if merge_request.status == MergeRequest.Status.REFUSED:
            return Response(
                {"detail": merge_request.reason, "code": "refused", "request": body}, status=409
            )
        pending = merge_request.status == MergeRequest.Status.PENDING
        return Response(body, status=202 if pending else 201)
