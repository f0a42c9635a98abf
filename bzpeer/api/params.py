"""Query parameters every list endpoint shares: strict filtering and capped pagination.

An unknown parameter is an error, not silently ignored: a client that misspells ``year`` as
``yaer`` would otherwise get every work and believe it filtered them.
"""

from django.core.paginator import InvalidPage, Paginator
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.pagination import CursorPagination, PageNumberPagination

from bzpeer.api.errors import BadParameter

MAX_PARAMETER_LENGTH = 200
MAX_PAGE_SIZE = 100


class RangeCheckedPaginator(Paginator):
    """A page outside 1..last is the client's mistake, so a 400 that names the range (DRF's
    default is a 404 "Invalid page.", which no list declared)."""

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except InvalidPage as error:
            raise BadParameter(
                f"page must be a whole number from 1 to {self.num_pages} (or last).",
                code="bad_page",
            ) from error


class CappedPageNumberPagination(PageNumberPagination):
    """Page numbers; ``page_size`` beyond the cap is cut to it, not refused. A page number
    before the first or past the last page is refused (400), not clamped: a client walking
    the pages learns at once that it went wrong."""

    django_paginator_class = RangeCheckedPaginator
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["description"] = (
                    "Page number, from 1 to the last page (`last` for the last one). Any other "
                    "value is refused with a 400 whose code is `bad_page`."
                )
        return parameters


class WorkCursorPagination(CursorPagination):
    """Newest records first; a cursor stays valid while works are being imported."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-pk"


def check_parameters(request, allowed: set[str]) -> None:
    unknown = sorted(key[:50] for key in request.query_params if key not in allowed)
    if unknown:
        raise BadParameter(
            f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
            code="unknown_parameter",
            allowed=sorted(allowed),
        )
    for key, values in request.query_params.lists():
        for value in values:
            if len(value) > MAX_PARAMETER_LENGTH:
                raise BadParameter(
                    f"{key} is longer than {MAX_PARAMETER_LENGTH} characters.",
                    code="too_long",
                )
            if "\x00" in value:
                raise BadParameter(f"{key} contains a NUL character.", code="bad_character")


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, refusing parameters that are neither filters nor pagination."""

    def filter_queryset(self, request, queryset, view):
        check_parameters(request, self.allowed_parameters(queryset, view))
        return super().filter_queryset(request, queryset, view)

    def allowed_parameters(self, queryset, view) -> set[str]:
        filterset_class = self.get_filterset_class(view, queryset)
        allowed = set(filterset_class.base_filters) if filterset_class else set()
        paginator = getattr(view, "paginator", None)
        for attribute in ("page_query_param", "page_size_query_param", "cursor_query_param"):
            if name := getattr(paginator, attribute, None):
                allowed.add(name)
        return allowed
