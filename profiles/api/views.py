"""/api/researchers/: read-only, paginated, filterable researcher records and their works."""

from django.db.models import F, Prefetch
from django.db.models.functions import Coalesce
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound

from bzpeer.api.errors import ErrorSerializer
from bzpeer.api.params import (
    CappedPageNumberPagination,
    StrictFilterBackend,
    WorkCursorPagination,
)
from profiles.api.filters import ResearcherFilter
from profiles.api.serializers import ResearcherDetailSerializer, ResearcherSerializer
from profiles.publications import entries_for, listed_works_count_subquery
from works.api.lookup import parse_id
from works.api.prefetch import with_list_relations
from works.api.serializers import WorkSerializer
from works.models import Affiliation, Researcher, Work

# The URL converter is str (so a malformed id gets the JSON 404); the id itself is an integer.
ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Record id.")
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad query parameter."),
    404: OpenApiResponse(ErrorSerializer, description="No such researcher, page or cursor."),
}


def researchers_with_counts():
    return Researcher.objects.select_related("last_known_institution").annotate(
        works_count=Coalesce(listed_works_count_subquery(), 0)
    )


def get_public_researcher_or_404(raw_pk, queryset=None) -> Researcher:
    """Any researcher record by id (merged ones too: they say where they were merged)."""
    queryset = Researcher.objects.all() if queryset is None else queryset
    researcher = queryset.filter(pk=parse_id(raw_pk)).first()
    if researcher is None:
        raise NotFound("No researcher has this id.")
    return researcher


@extend_schema(responses={200: ResearcherSerializer(many=True), **ERRORS})
class ResearcherList(generics.ListAPIView):
    """Researcher records (merged records excluded), by name unless ``q`` ranks them."""

    serializer_class = ResearcherSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = ResearcherFilter
    pagination_class = CappedPageNumberPagination

    def get_queryset(self):
        return researchers_with_counts().filter(merged_into__isnull=True)


@extend_schema(parameters=[ID], responses={200: ResearcherDetailSerializer, 404: ERRORS[404]})
class ResearcherDetail(generics.RetrieveAPIView):
    """One researcher: identity, affiliations, summary, counts, trust and verification."""

    serializer_class = ResearcherDetailSerializer
    filter_backends = []
    queryset = Researcher.objects.none()  # for the schema; get_object does the lookup

    def get_object(self):
        return get_public_researcher_or_404(
            self.kwargs["pk"],
            researchers_with_counts().prefetch_related(
                Prefetch(
                    "affiliations",
                    queryset=Affiliation.objects.select_related("institution").order_by(
                        "institution__display_name"
                    ),
                )
            ),
        )


class ResearcherWorkPagination(WorkCursorPagination):
    # Newest publication first; works without a year last. ``sort_year`` is annotated below.
    ordering = ("-sort_year", "-pk")


@extend_schema(parameters=[ID], responses={200: WorkSerializer(many=True), **ERRORS})
class ResearcherWorks(generics.ListAPIView):
    """The researcher's visible works as their profile lists them: a version of another of
    their works (a preprint of a published paper) appears under it, in ``versions``."""

    serializer_class = WorkSerializer
    filter_backends = [StrictFilterBackend]
    pagination_class = ResearcherWorkPagination
    queryset = Work.objects.none()  # for the schema

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return Work.objects.none()
        researcher = get_public_researcher_or_404(self.kwargs["pk"])
        works = entries_for(researcher.pk).filter(is_hidden=False)
        return with_list_relations(works).annotate(sort_year=Coalesce(F("publication_year"), 0))
