"""/api/researchers/: read-only, paginated, filterable researcher records and their works."""

from django.db.models import F, Prefetch
from django.db.models.functions import Coalesce
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound

from bzpeer.api.errors import BadParameter, ErrorSerializer
from bzpeer.api.params import (
    CappedPageNumberPagination,
    StrictFilterBackend,
    WorkCursorPagination,
)
from bzpeer.page_cache import CachedPublicGetMixin
from profiles.api.filters import ResearcherFilter
from profiles.api.serializers import ResearcherDetailSerializer, ResearcherSerializer
from profiles.publications import entries_for, listed_works_count_subquery
from profiles.work_filters import PARAMETERS as WORKS_PARAMETERS
from profiles.work_filters import SORTS, BadWorksQuery, filtered_works, read_works_query
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


def researchers_with_counts(*, live: bool = False):
    """Researchers with ``works_count``: in lists, the count the graph keeps on each record
    (``Researcher.listed_works_count``, nothing counted per row); for one record, ``live``,
    counted from its own rows (one small query, the same rule)."""
    count = Coalesce(listed_works_count_subquery(), 0) if live else F("listed_works_count")
    return Researcher.objects.select_related("last_known_institution").annotate(works_count=count)


def get_public_researcher_or_404(raw_pk, queryset=None) -> Researcher:
    """Any researcher record by id (merged ones too: they say where they were merged)."""
    queryset = Researcher.objects.all() if queryset is None else queryset
    researcher = queryset.filter(pk=parse_id(raw_pk)).first()
    if researcher is None:
        raise NotFound("No researcher has this id.")
    return researcher


@extend_schema(responses={200: ResearcherSerializer(many=True), **ERRORS})
class ResearcherList(CachedPublicGetMixin, generics.ListAPIView):
    """Researcher records (merged records excluded), by name unless ``q`` ranks them."""

    serializer_class = ResearcherSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = ResearcherFilter
    pagination_class = CappedPageNumberPagination

    def get_queryset(self):
        return researchers_with_counts().filter(merged_into__isnull=True)


@extend_schema(parameters=[ID], responses={200: ResearcherDetailSerializer, 404: ERRORS[404]})
class ResearcherDetail(CachedPublicGetMixin, generics.RetrieveAPIView):
    """One researcher: identity, affiliations, summary, counts, trust and verification."""

    serializer_class = ResearcherDetailSerializer
    filter_backends = []
    queryset = Researcher.objects.none()  # for the schema; get_object does the lookup

    def get_object(self):
        return get_public_researcher_or_404(
            self.kwargs["pk"],
            researchers_with_counts(live=True).prefetch_related(
                Prefetch(
                    "affiliations",
                    queryset=Affiliation.objects.select_related("institution").order_by(
                        "institution__display_name"
                    ),
                )
            ),
        )


class ResearcherWorkPagination(WorkCursorPagination):
    """In the order ``sort`` asks (the profile's: newest first, works without a year last);
    ``ProfileWorksFilter`` has refused any other value before the page is cut."""

    ordering = SORTS["year"]

    def get_ordering(self, request, queryset, view):
        return SORTS.get(request.query_params.get("sort") or "year", self.ordering)


class ProfileWorksFilter(StrictFilterBackend):
    """The profile page's sort and filters (profiles.work_filters), unknown values refused."""

    def allowed_parameters(self, queryset, view) -> set[str]:
        return super().allowed_parameters(queryset, view) | set(WORKS_PARAMETERS)

    def filter_queryset(self, request, queryset, view):
        queryset = super().filter_queryset(request, queryset, view)
        try:
            query = read_works_query(
                request.query_params, researcher_pk=getattr(view, "researcher_pk", None)
            )
        except BadWorksQuery as error:
            extra = {"allowed": error.allowed} if error.allowed is not None else {}
            raise BadParameter(str(error), code=error.code, **extra) from error
        return filtered_works(queryset, query)


WORKS_FILTER_PARAMETERS = [
    OpenApiParameter(
        "sort",
        str,
        enum=list(SORTS),
        description="`year` (newest first, then title; the default), `citations` (most cited "
        "first, ties by year then title) or `title`.",
    ),
    OpenApiParameter(
        "type", str, description='A work type, e.g. "article"; one no work has is a 400.'
    ),
    OpenApiParameter("year", int, description="Publication year."),
    OpenApiParameter(
        "venue",
        str,
        description="A venue (source) id, or `name:` followed by the venue name of works that "
        "have no venue id (a CSL import's or arXiv's, e.g. `name:arXiv`); an unknown venue is a "
        "400.",
    ),
    OpenApiParameter(
        "coauthor",
        int,
        description="Works shared with this researcher id (a merged record stands for the "
        "record it was merged into); an unknown id is a 400.",
    ),
    OpenApiParameter("q", str, description="Words of the title or abstract."),
]


@extend_schema(
    parameters=[ID, *WORKS_FILTER_PARAMETERS],
    responses={200: WorkSerializer(many=True), **ERRORS},
)
class ResearcherWorks(CachedPublicGetMixin, generics.ListAPIView):
    """The researcher's visible works as their profile lists them: a version of another of
    their works (a preprint of a published paper) appears under it, in ``versions``. Sorted
    and filtered with the profile page's parameters."""

    serializer_class = WorkSerializer
    filter_backends = [ProfileWorksFilter]
    pagination_class = ResearcherWorkPagination
    queryset = Work.objects.none()  # for the schema

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return Work.objects.none()
        researcher = get_public_researcher_or_404(self.kwargs["pk"])
        self.researcher_pk = researcher.pk  # for the filters: no co-author of their own
        return with_list_relations(entries_for(researcher.pk).filter(is_hidden=False))
