"""POST /api/me/record/works/: the signed-in owner adds a work the sources missed.

The body names the work by ``doi`` or ``arxiv_id`` (one of the two). The answer says where the
request stands: 201 once the work is on the record, 202 while the lookup is queued (a worker
does it; the owner's page shows how it ends), 400 for a malformed identifier, 409 when the work
is listed already (nothing changed), 404 when the source has no such work and 502 when it
could not be reached (nothing changed either; the import run keeps the error).
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bzpeer.api.errors import ErrorSerializer
from claims import added_works
from claims.api.corrections import owned_record_or_403, refusal
from claims.corrections import CorrectionError

ADD_WORK_REQUEST = inline_serializer(
    "AddWorkRequest",
    {
        "doi": serializers.CharField(
            required=False, help_text="10.7717/peerj.4375 or a doi.org URL"
        ),
        "arxiv_id": serializers.CharField(required=False, help_text="2108.04680 or arXiv:..."),
    },
)
ADDITION = inline_serializer(
    "Addition",
    {
        "state": serializers.ChoiceField(
            ["added", "queued", "already_listed", "not_found", "failed"]
        ),
        "detail": serializers.CharField(),
        "run": serializers.IntegerField(help_text="The import run doing the lookup."),
        "work": serializers.IntegerField(allow_null=True),
    },
)
# The answer's status for each state of the request.
STATUS = {"added": 201, "queued": 202, "already_listed": 409, "not_found": 404, "failed": 502}


class AddWork(APIView):
    """Add a work to your record by its DOI or arXiv id."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ADD_WORK_REQUEST,
        responses={
            201: ADDITION,
            202: ADDITION,
            400: ErrorSerializer,
            401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
            403: OpenApiResponse(ErrorSerializer, description="You own no record."),
            404: OpenApiResponse(ADDITION, description="The source has no such work."),
            409: OpenApiResponse(ErrorSerializer, description="Already on your record."),
            429: OpenApiResponse(ErrorSerializer, description="Too many corrections today."),
            502: OpenApiResponse(ADDITION, description="The source could not be reached."),
        },
    )
    def post(self, request):
        researcher = owned_record_or_403(request.user)
        data = request.data if hasattr(request.data, "get") else {}
        try:
            addition = added_works.add_missing_work(
                request.user,
                researcher,
                doi=str(data.get("doi") or ""),
                arxiv_id=str(data.get("arxiv_id") or ""),
            )
        except CorrectionError as error:
            return refusal(error)
        body = {
            "state": addition.state,
            "detail": addition.message,
            "run": addition.run.pk,
            "work": addition.work.pk if addition.work else None,
        }
        if addition.state in ("not_found", "failed", "already_listed"):
            body["code"] = addition.state
        return Response(body, status=STATUS[addition.state])
