from rest_framework import serializers

from claims.models import Claim


class MyClaimSerializer(serializers.ModelSerializer):
    researcher_name = serializers.CharField(source="researcher.display_name", read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "researcher",
            "researcher_name",
            "evidence",
            "status",
            "created_at",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields
