from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from profiles.citation_metrics import CitationMetrics, citation_metrics
from works.models import Affiliation, Institution, Researcher


class InstitutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["id", "display_name", "openalex_id", "ror", "country_code", "type"]


class AffiliationSerializer(serializers.ModelSerializer):
    institution = InstitutionSerializer(read_only=True)
    years = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Affiliation
        fields = ["institution", "years"]


class LinkSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField()


class ResearcherSerializer(serializers.ModelSerializer):
    """A researcher in a list. Views annotate ``works_count`` (listed, visible works)."""

    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    institution = InstitutionSerializer(
        source="last_known_institution", read_only=True, allow_null=True
    )
    display_name_alternatives = serializers.ListField(child=serializers.CharField(), read_only=True)
    claimed = serializers.BooleanField(source="is_claimed", read_only=True)
    verification_level_label = serializers.CharField(
        source="get_verification_level_display", read_only=True
    )
    trust_band = serializers.CharField(read_only=True)
    works_count = serializers.IntegerField(
        read_only=True, help_text="Visible works listed on the profile (versions counted once)."
    )

    class Meta:
        model = Researcher
        fields = [
            "id",
            "url",
            "html_url",
            "display_name",
            "display_name_alternatives",
            "openalex_id",
            "orcid",
            "institution",
            "claimed",
            "verification_level",
            "verification_level_label",
            "trust_score",
            "trust_band",
            "works_count",
            "followers_count",
        ]

    def get_url(self, researcher) -> str:
        return reverse("api-researcher-detail", args=[researcher.pk])

    def get_html_url(self, researcher) -> str:
        return researcher.get_absolute_url()


class ResearcherDetailSerializer(ResearcherSerializer):
    summary = serializers.SerializerMethodField()
    affiliations = AffiliationSerializer(many=True, read_only=True)
    links = serializers.SerializerMethodField()
    works_url = serializers.SerializerMethodField()
    collaborators_url = serializers.SerializerMethodField()
    graph_url = serializers.SerializerMethodField()
    cited_by_count = serializers.SerializerMethodField(
        help_text="Citations of the works listed on the profile, as their sources count them."
    )
    h_index = serializers.SerializerMethodField(
        help_text="h-index of the listed works (the source's own is source_h_index)."
    )
    i10_index = serializers.SerializerMethodField(
        help_text="Listed works with at least 10 citations."
    )
    source_h_index = serializers.IntegerField(
        source="h_index", read_only=True, allow_null=True, help_text="The source's h-index."
    )

    class Meta(ResearcherSerializer.Meta):
        fields = [
            *ResearcherSerializer.Meta.fields,
            "topics_count",
            "close_collaborators_count",
            "summary",
            "affiliations",
            "origin",
            "openalex_url",
            "orcid_url",
            "source_works_count",
            "source_cited_by_count",
            "source_h_index",
            "cited_by_count",
            "h_index",
            "i10_index",
            "open_to_collaborate",
            "links",
            "staff_verified",
            "trust_breakdown",
            "trust_computed_at",
            "merged_into",
            "works_url",
            "collaborators_url",
            "graph_url",
        ]

    def _metrics(self, researcher) -> CitationMetrics:
        # Computed once per researcher (two queries) for the three fields that show it.
        if not hasattr(researcher, "_citation_metrics"):
            researcher._citation_metrics = citation_metrics(researcher.pk)
        return researcher._citation_metrics

    def get_cited_by_count(self, researcher) -> int:
        return self._metrics(researcher).cited_by_count

    def get_h_index(self, researcher) -> int:
        return self._metrics(researcher).h_index

    def get_i10_index(self, researcher) -> int:
        return self._metrics(researcher).i10_index

    def get_summary(self, researcher) -> str:
        from profiles.summary import summary_for

        return summary_for(researcher)

    @extend_schema_field(LinkSerializer(many=True))
    def get_links(self, researcher):
        # Owner-entered JSON: only well-formed entries reach the API.
        return [
            {"label": str(link["label"]), "url": str(link["url"])}
            for link in researcher.links
            if isinstance(link, dict) and {"label", "url"} <= link.keys()
        ]

    def get_works_url(self, researcher) -> str:
        return reverse("api-researcher-works", args=[researcher.pk])

    def get_collaborators_url(self, researcher) -> str:
        return f"/api/researchers/{researcher.pk}/collaborators/"

    def get_graph_url(self, researcher) -> str:
        return f"/api/researchers/{researcher.pk}/graph/"
