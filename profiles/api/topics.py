"""/api/topics/: the OpenAlex topic hierarchy as bzpeer holds it, and one topic's researchers."""

import django_filters
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from bzpeer.api.errors import ErrorSerializer
from bzpeer.api.params import MAX_PAGE_SIZE, StrictFilterBackend
from bzpeer.identifiers import openalex_url
from profiles.topics import topic_page
from works.api.lookup import parse_id
from works.models import Researcher, Topic

ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Topic id.")
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad query parameter."),
    404: OpenApiResponse(ErrorSerializer, description="No such topic or cursor."),
}


class TopicCursorPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("display_name", "pk")


class TopicFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(
        choices=Topic.Level.choices, help_text="Only this level of the hierarchy."
    )
    parent = django_filters.NumberFilter(
        field_name="parent_id", help_text="Only the children of this topic id."
    )

    class Meta:
        model = Topic
        fields = ["level", "parent"]


class TopicSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    openalex_url = serializers.SerializerMethodField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)

    class Meta:
        model = Topic
        fields = [
            "id",
            "url",
            "html_url",
            "display_name",
            "level",
            "openalex_id",
            "openalex_url",
            "parent",
        ]

    def get_url(self, topic) -> str:
        return reverse("api-topic-detail", args=[topic.pk])

    def get_html_url(self, topic) -> str:
        return reverse("profiles:topic", args=[topic.pk])

    def get_openalex_url(self, topic) -> str:
        return openalex_url(topic.openalex_id)


class TopicResearcherSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    works_count = serializers.IntegerField(
        source="topic_works_count",
        help_text="Their visible works carrying this topic or one beneath it (versions once).",
    )

    class Meta:
        model = Researcher
        fields = ["id", "url", "html_url", "display_name", "works_count"]

    def get_url(self, researcher) -> str:
        return reverse("api-researcher-detail", args=[researcher.pk])

    def get_html_url(self, researcher) -> str:
        return researcher.get_absolute_url()


class TopicDetailSerializer(TopicSerializer):
    ancestors = TopicSerializer(many=True, help_text="The domain first, down to the parent.")
    children = TopicSerializer(
        source="child_topics", many=True, help_text="The next level down, by name."
    )
    researchers_count = serializers.IntegerField(help_text="Researchers with works in it.")
    researchers = TopicResearcherSerializer(
        many=True, help_text="Up to 50, most works in it first."
    )

    class Meta(TopicSerializer.Meta):
        fields = [
            *TopicSerializer.Meta.fields,
            "ancestors",
            "children",
            "researchers_count",
            "researchers",
        ]


@extend_schema(responses={200: TopicSerializer(many=True), **ERRORS})
class TopicList(generics.ListAPIView):
    """Topics and the levels above them (domains, fields, subfields) by name."""

    serializer_class = TopicSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = TopicFilter
    pagination_class = TopicCursorPagination
    queryset = Topic.objects.all()


@extend_schema(parameters=[ID], responses={200: TopicDetailSerializer, 404: ERRORS[404]})
class TopicDetail(generics.RetrieveAPIView):
    """One topic: its ancestors, its children and the researchers with most works in it."""

    serializer_class = TopicDetailSerializer
    filter_backends = []
    queryset = Topic.objects.none()  # for the schema; get_object does the lookup

    def get_object(self):
        topic = (
            Topic.objects.select_related("parent__parent__parent")
            .filter(pk=parse_id(self.kwargs["pk"]))
            .first()
        )
        if topic is None:
            raise NotFound("No topic has this id.")
        page = topic_page(topic)
        topic.ancestors = page.lineage[:-1]
        # Not "children": that name is the reverse relation of ``parent``.
        topic.child_topics = page.children
        topic.researchers = page.people
        topic.researchers_count = page.people_count
        return topic
