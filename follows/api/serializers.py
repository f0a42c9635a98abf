from rest_framework import serializers

from follows.models import Follow


class FollowSerializer(serializers.ModelSerializer):
    researcher = serializers.IntegerField(source="researcher_id")
    display_name = serializers.CharField(source="researcher.display_name", read_only=True)
    openalex_id = serializers.CharField(source="researcher.openalex_id", read_only=True)
    followed_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Follow
        fields = ["researcher", "display_name", "openalex_id", "followed_at"]


class FollowRequestSerializer(serializers.Serializer):
    researcher = serializers.IntegerField(min_value=1, max_value=2**53)
