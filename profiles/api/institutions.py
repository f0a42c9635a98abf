"""/api/institutions/: read-only institutions, and one with its researchers and topics."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from bzpeer.api.errors import ErrorSerializer
from bzpeer.api.params import MAX_PAGE_SIZE, StrictFilterBackend
from bzpeer.identifiers import ror_url
from profiles.institutions import institution_page, type_label
from works.api.lookup import parse_id
from works.models import Institution, Researcher

ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Institution id.")
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad query parameter."),
    404: OpenApiResponse(ErrorSerializer, description="No such institution or cursor."),
}


class InstitutionCursorPagination(CursorPagination):
    """By name; a cursor stays valid while institutions are being imported."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("display_name", "pk")


class InstitutionListSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    type_label = serializers.SerializerMethodField(help_text="The OpenAlex type, in words.")
    ror_url = serializers.SerializerMethodField()
    current_researchers_count = serializers.IntegerField(
        read_only=True, help_text="Researcher records whose last known institution it is."
    )

    class Meta:
        model = Institution
        fields = [
            "id",
            "url",
            "html_url",
            "display_name",
            "openalex_id",
            "ror",
            "ror_url",
            "country_code",
            "type",
            "type_label",
            "current_researchers_count",
        ]

    def get_url(self, institution) -> str:
        return reverse("api-institution-detail", args=[institution.pk])

    def get_html_url(self, institution) -> str:
        return reverse("profiles:institution", args=[institution.pk])

    def get_type_label(self, institution) -> str:
        return type_label(institution)

    def get_ror_url(self, institution) -> str:
        return ror_url(institution.ror) if institution.ror else ""


class InstitutionResearcherSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    works_count = serializers.IntegerField(
        source="listed_works_count",
        help_text="Visible works listed on the profile (versions counted once).",
    )
    is_current = serializers.BooleanField(help_text="Their last known institution is this one.")

    class Meta:
        model = Researcher
        fields = ["id", "url", "html_url", "display_name", "works_count", "is_current"]

    def get_url(self, researcher) -> str:
        return reverse("api-researcher-detail", args=[researcher.pk])

    def get_html_url(self, researcher) -> str:
        return researcher.get_absolute_url()


class InstitutionTopicSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="topic_id")
    url = serializers.SerializerMethodField()
    display_name = serializers.CharField(source="name")
    researchers_count = serializers.IntegerField(
        source="people", help_text="Its researchers with this topic among their ranked topics."
    )

    def get_url(self, row) -> str:
        return reverse("api-topic-detail", args=[row["topic_id"]])


class InstitutionDetailSerializer(InstitutionListSerializer):
    homepage_url = serializers.CharField()
    researchers_count = serializers.IntegerField(
        help_text="Researcher records there now or affiliated before (merged records excluded)."
    )
    researchers = InstitutionResearcherSerializer(
        many=True, help_text="Up to 50, most listed works first."
    )
    topics = InstitutionTopicSerializer(
        many=True, help_text="Up to 15, carried by the most of its researchers first."
    )

    class Meta(InstitutionListSerializer.Meta):
        fields = [
            *InstitutionListSerializer.Meta.fields,
            "homepage_url",
            "researchers_count",
            "researchers",
            "topics",
        ]


def _current_researchers_count() -> Coalesce:
    counted = (
        Researcher.objects.canonical()
        .filter(last_known_institution=OuterRef("pk"))
        .order_by()
        .values("last_known_institution")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def get_institution_or_404(raw_pk) -> Institution:
    institution = (
        Institution.objects.annotate(current_researchers_count=_current_researchers_count())
        .filter(pk=parse_id(raw_pk))
        .first()
    )
    if institution is None:
        raise NotFound("No institution has this id.")
    return institution


@extend_schema(responses={200: InstitutionListSerializer(many=True), **ERRORS})
class InstitutionList(generics.ListAPIView):
    """Institutions by name, with how many researcher records are there now."""

    serializer_class = InstitutionListSerializer
    filter_backends = [StrictFilterBackend]
    pagination_class = InstitutionCursorPagination

    def get_queryset(self):
        return Institution.objects.annotate(current_researchers_count=_current_researchers_count())


@extend_schema(parameters=[ID], responses={200: InstitutionDetailSerializer, 404: ERRORS[404]})
class InstitutionDetail(generics.RetrieveAPIView):
    """One institution, its researchers (most listed works first) and their topics."""

    serializer_class = InstitutionDetailSerializer
    filter_backends = []
    queryset = Institution.objects.none()  # for the schema; get_object does the lookup

    def get_object(self):
        institution = get_institution_or_404(self.kwargs["pk"])
        page = institution_page(institution)
        institution.researchers = page.people
        institution.researchers_count = page.people_count
        institution.topics = page.topics
        return institution
