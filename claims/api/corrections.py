"""/api/me/record/...: the signed-in owner corrects their own record.

Each view finds the caller's record (403 for a user who owns none), calls the action in
``claims.corrections`` and answers its refusals in the API's error shape: 404 for a work not on
the record, 409 for a state it is already in, 429 with ``Retry-After`` once the day's
corrections are used up.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bzpeer.api.errors import ErrorSerializer
from claims import corrections

NOT_MINE_STATE = inline_serializer(
    "NotMineState",
    {
        "work": serializers.IntegerField(),
        "removed": serializers.BooleanField(help_text="Off the record (not theirs)."),
        "entry": serializers.IntegerField(help_text="The curation log entry written."),
    },
)


def owned_record_or_403(user):
    researcher = corrections.owned_record(user)
    if researcher is None:
        raise PermissionDenied("Only the owner of a claimed record can correct it.")
    return researcher


def refusal(error: corrections.CorrectionError) -> Response:
    response = Response({"detail": str(error), "code": error.code}, status=error.status_code)
    if isinstance(error, corrections.CorrectionRateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


_REFUSALS = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(ErrorSerializer, description="You own no record."),
    404: OpenApiResponse(ErrorSerializer, description="The work is not on your record."),
    409: OpenApiResponse(ErrorSerializer, description="Already in that state; nothing changed."),
    429: OpenApiResponse(ErrorSerializer, description="Too many corrections today."),
}


class NotMine(APIView):
    """POST: the work is not yours; it leaves your record (co-authors keep it) and stays off it
    after every import. DELETE: undo that."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: NOT_MINE_STATE, **_REFUSALS})
    def post(self, request, work_id: int):
        researcher = owned_record_or_403(request.user)
        try:
            entry = corrections.mark_not_mine(request.user, researcher, work_id)
        except corrections.CorrectionError as error:
            return refusal(error)
        return Response({"work": work_id, "removed": True, "entry": entry.pk})

    @extend_schema(request=None, responses={200: NOT_MINE_STATE, **_REFUSALS})
    def delete(self, request, work_id: int):
        researcher = owned_record_or_403(request.user)
        try:
            entry = corrections.undo_not_mine(request.user, researcher, work_id)
        except corrections.CorrectionError as error:
            return refusal(error)
        return Response(
            {"work": work_id, "removed": False, "entry": entry.pk}, status=status.HTTP_200_OK
        )
