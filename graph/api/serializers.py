from rest_framework import serializers

from graph.models import Collaboration


class CollaboratorSerializer(serializers.ModelSerializer):
    """One co-author of the researcher, with what they share."""

    id = serializers.IntegerField(source="coauthor_id")
    display_name = serializers.CharField(source="coauthor.display_name")
    openalex_id = serializers.CharField(source="coauthor.openalex_id", allow_null=True)
    url = serializers.CharField(source="coauthor.get_absolute_url")
    is_close = serializers.BooleanField(
        help_text="At least BZPEER_CLOSE_COLLABORATOR_MIN_SHARED_WORKS shared works."
    )

    class Meta:
        model = Collaboration
        fields = [
            "id",
            "display_name",
            "openalex_id",
            "url",
            "shared_works_count",
            "first_year",
            "last_year",
            "is_close",
        ]


class GraphNodeSerializer(serializers.Serializer):
    id = serializers.CharField(help_text='Kind and primary key: "researcher:12", "work:34".')
    type = serializers.ChoiceField(choices=["researcher", "work", "topic", "institution"])
    pk = serializers.IntegerField()
    label = serializers.CharField()
    url = serializers.CharField(help_text="The node's page (bzpeer or OpenAlex); may be empty.")
    depth = serializers.IntegerField(help_text="0 the researcher, 1 a neighbour, 2 beyond.")
    degree = serializers.IntegerField()
    openalex_id = serializers.CharField(required=False)
    close = serializers.BooleanField(required=False, help_text="Researchers: close co-author.")
    year = serializers.IntegerField(required=False, allow_null=True, help_text="Works.")


class GraphEdgeSerializer(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    type = serializers.ChoiceField(choices=["coauthor", "authored", "topic", "affiliated", "about"])
    weight = serializers.IntegerField(help_text="Shared works, or works carrying the topic.")
    first_year = serializers.IntegerField(required=False, allow_null=True)
    last_year = serializers.IntegerField(required=False, allow_null=True)


class GraphSerializer(serializers.Serializer):
    center = serializers.CharField()
    depth = serializers.IntegerField()
    nodes = GraphNodeSerializer(many=True)
    edges = GraphEdgeSerializer(many=True)
