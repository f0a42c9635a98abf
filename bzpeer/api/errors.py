"""JSON errors for the whole API (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).

Every error a client can cause answers with the same shape::

    {"detail": "Unknown query parameter: colour.", "code": "unknown_parameter",
     "allowed": ["page", "q", ...]}

Validation errors add ``errors`` (field -> messages). Anything DRF does not know stays a 500,
logged by Django: an error we did not foresee is a bug to fix, not a message to dress up.
"""

from django.http import JsonResponse
from django.views.defaults import page_not_found
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.views import exception_handler


class BadParameter(APIException):
    """A query parameter the endpoint does not accept, or a value it cannot use."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_parameter"
    default_detail = "Bad query parameter."

    def __init__(self, detail: str, code: str | None = None, **extra):
        super().__init__(detail, code)
        self.extra = extra


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, ValidationError):
        body = {"detail": "Invalid input.", "code": "invalid", "errors": data}
    else:
        detail = data.get("detail", "Error.") if isinstance(data, dict) else str(data)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"detail": str(detail), "code": code}
    body.update(getattr(exc, "extra", {}))
    response.data = body
    return response


class ErrorSerializer(serializers.Serializer):
    """The shape of every error response (for the OpenAPI schema)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(required=False)
    allowed = serializers.ListField(child=serializers.CharField(), required=False)


def not_found(request, exception=None):
    """``handler404``: under /api/ a JSON error like every other API error (a URL that no
    route matches, e.g. a negative id against an ``<int:pk>`` route); elsewhere the page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "No API endpoint or record at this address.", "code": "not_found"},
            status=404,
        )
    return page_not_found(request, exception)
