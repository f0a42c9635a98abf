from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from works.models import Authorship, Work, WorkTopic, http_url


class WorkAuthorSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    researcher = serializers.SerializerMethodField(
        help_text="The author's researcher id, or null when the source has no record for them."
    )

    class Meta:
        model = Authorship
        fields = ["order", "position", "name", "researcher"]

    def get_name(self, authorship) -> str:
        if authorship.researcher_id and authorship.researcher.display_name:
            return authorship.researcher.display_name
        return authorship.raw_author_name

    def get_researcher(self, authorship) -> int | None:
        if authorship.researcher_id is None:
            return None
        return authorship.researcher.merged_into_id or authorship.researcher_id


class WorkVersionSerializer(serializers.ModelSerializer):
    venue = serializers.CharField(read_only=True)

    class Meta:
        model = Work
        fields = [
            "id",
            "title",
            "type",
            "publication_year",
            "venue",
            "doi",
            "arxiv_id",
            "openalex_id",
        ]


class WorkSerializer(serializers.ModelSerializer):
    venue = serializers.CharField(read_only=True)
    doi_url = serializers.CharField(read_only=True)
    arxiv_url = serializers.CharField(read_only=True)
    arxiv_pdf_url = serializers.CharField(read_only=True)
    landing_page_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    oa_url = serializers.SerializerMethodField(help_text="The best open-access copy, if any.")
    oa_status = serializers.CharField(
        read_only=True,
        help_text="OpenAlex's open-access status (gold, diamond, green, hybrid, bronze, "
        'closed); "" when unknown.',
    )
    cited_by_read_on = serializers.DateField(
        read_only=True, help_text="When the source counted the citations."
    )
    authors = WorkAuthorSerializer(source="authorships", many=True, read_only=True)
    versions = serializers.SerializerMethodField(
        help_text="Other visible versions of this work (a preprint of a published paper)."
    )
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = Work
        fields = [
            "id",
            "url",
            "html_url",
            "title",
            "type",
            "publication_year",
            "publication_date",
            "venue",
            "doi",
            "doi_url",
            "arxiv_id",
            "arxiv_url",
            "arxiv_pdf_url",
            "openalex_id",
            "landing_page_url",
            "pdf_url",
            "oa_url",
            "oa_status",
            "cited_by_count",
            "cited_by_read_on",
            "counts_by_year",
            "is_retracted",
            "authors",
            "version_of",
            "versions",
        ]

    @extend_schema_field(WorkVersionSerializer(many=True))
    def get_versions(self, work):
        # Views prefetch ``versions`` with visible works only.
        return WorkVersionSerializer(work.versions.all(), many=True).data

    # Stored URLs are linked only when they are http(s).
    def get_landing_page_url(self, work) -> str:
        return http_url(work.landing_page_url)

    def get_pdf_url(self, work) -> str:
        return http_url(work.pdf_url)

    def get_oa_url(self, work) -> str:
        return http_url(work.oa_url)

    def get_url(self, work) -> str:
        return reverse("api-work-detail", args=[work.pk])

    def get_html_url(self, work) -> str:
        return reverse("works:detail", args=[work.pk])


class WorkTopicSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="topic.id")
    openalex_id = serializers.CharField(source="topic.openalex_id")
    display_name = serializers.CharField(source="topic.display_name")
    level = serializers.CharField(source="topic.level")

    class Meta:
        model = WorkTopic
        fields = ["id", "openalex_id", "display_name", "level", "score"]


class WorkDetailSerializer(WorkSerializer):
    topics = WorkTopicSerializer(source="work_topics", many=True, read_only=True)

    class Meta(WorkSerializer.Meta):
        fields = [*WorkSerializer.Meta.fields, "abstract", "language", "topics"]
