"""/api/works/: read-only, cursor-paginated, visible works only."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics

from bzpeer.api.errors import ErrorSerializer
from bzpeer.api.params import StrictFilterBackend, WorkCursorPagination
from bzpeer.page_cache import CachedPublicGetMixin
from works.api.filters import WorkFilter
from works.api.lookup import get_visible_work_or_404
from works.api.prefetch import with_list_relations
from works.api.serializers import WorkDetailSerializer, WorkSerializer
from works.models import Work, WorkTopic

# The URL converter is str (so a malformed id gets the JSON 404); the id itself is an integer.
ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Record id.")
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad query parameter."),
    404: OpenApiResponse(ErrorSerializer, description="No such work, page or cursor."),
}


@extend_schema(responses={200: WorkSerializer(many=True), **ERRORS})
class WorkList(CachedPublicGetMixin, generics.ListAPIView):
    """Visible works, newest records first. Every parameter not listed is refused (400)."""

    serializer_class = WorkSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = WorkFilter
    pagination_class = WorkCursorPagination

    def get_queryset(self):
        return with_list_relations(Work.objects.visible())


@extend_schema(parameters=[ID], responses={200: WorkDetailSerializer, 404: ERRORS[404]})
class WorkDetail(CachedPublicGetMixin, generics.RetrieveAPIView):
    """One visible work with its abstract and topics."""

    serializer_class = WorkDetailSerializer
    filter_backends = []
    queryset = Work.objects.none()  # for the schema; get_object does the lookup

    def get_object(self):
        return get_visible_work_or_404(
            self.kwargs["pk"],
            with_list_relations(Work.objects.all()).prefetch_related(
                Prefetch("work_topics", queryset=WorkTopic.objects.select_related("topic"))
            ),
        )
