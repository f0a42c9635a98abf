"""/api/me/record/: the record the signed-in user owns, and what they may change about it.

GET answers the record; PATCH changes any of ``claims.identity.EDITABLE_FIELDS`` through the
same action as the /my-record/ page. A bad value, a field that is not editable or a body that is
not an object answers 400 naming each field, and nothing is saved.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bzpeer.api.errors import ErrorSerializer
from claims import identity
from claims.actions import ClaimError
from claims.corrections import CorrectionError, CorrectionRateLimited
from profiles.api.serializers import LinkSerializer
from works.models import Researcher


class MyRecordSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    html_url = serializers.CharField(source="get_absolute_url", read_only=True)
    display_name_alternatives = serializers.ListField(child=serializers.CharField())
    hidden_name_variants = serializers.ListField(
        child=serializers.CharField(), help_text="Name variants the profile does not show."
    )
    shown_name_variants = serializers.ListField(
        child=serializers.CharField(), help_text='The profile\'s "Also published as".'
    )
    research_interests = serializers.ListField(child=serializers.CharField())
    links = LinkSerializer(many=True)

    class Meta:
        model = Researcher
        fields = [
            "id",
            "url",
            "html_url",
            "display_name",
            "display_name_alternatives",
            "hidden_name_variants",
            "shown_name_variants",
            "research_interests",
            "summary",
            "open_to_collaborate",
            "links",
            "openalex_id",
            "orcid",
            "verification_level",
            "staff_verified",
        ]
        read_only_fields = fields

    def get_url(self, researcher) -> str:
        return reverse("api-researcher-detail", args=[researcher.pk])


class MyRecordPatchSerializer(serializers.Serializer):
    """The fields PATCH accepts (the schema's view; the action checks the values)."""

    display_name = serializers.CharField(max_length=identity.MAX_NAME_LENGTH, required=False)
    hidden_name_variants = serializers.ListField(child=serializers.CharField(), required=False)
    research_interests = serializers.ListField(
        child=serializers.CharField(max_length=identity.MAX_INTEREST_LENGTH),
        max_length=identity.MAX_INTERESTS,
        required=False,
    )
    summary = serializers.CharField(max_length=identity.MAX_SUMMARY_LENGTH, required=False)
    open_to_collaborate = serializers.BooleanField(required=False)
    links = LinkSerializer(many=True, required=False)


def owned_record_or_404(user) -> Researcher:
    record = (
        Researcher.objects.select_related("last_known_institution")
        .filter(owner=user, merged_into__isnull=True)
        .first()
    )
    if record is None:
        raise NotFound("You do not own a record. Claim yours from its profile page first.")
    return record


_REFUSALS = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    404: OpenApiResponse(ErrorSerializer, description="You own no record."),
}


class MyRecord(APIView):
    """Your record as you edit it: name, shown name variants, interests, summary, links and
    whether you are open to collaborate."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MyRecordSerializer, **_REFUSALS})
    def get(self, request):
        record = owned_record_or_404(request.user)
        return Response(MyRecordSerializer(record, context={"request": request}).data)

    @extend_schema(
        request=MyRecordPatchSerializer,
        responses={
            200: MyRecordSerializer,
            400: ErrorSerializer,
            **_REFUSALS,
            429: OpenApiResponse(ErrorSerializer, description="Too many corrections today."),
        },
    )
    def patch(self, request):
        record = owned_record_or_404(request.user)
        if not isinstance(request.data, dict) or not request.data:
            raise ValidationError({"non_field_errors": ["Send an object of fields to change."]})
        try:
            record = identity.edit_record(record, request.user, dict(request.data))
        except identity.RecordEditError as error:
            raise ValidationError({f: [m] for f, m in error.errors.items()}) from None
        except CorrectionRateLimited as error:
            response = Response({"detail": str(error), "code": error.code}, status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
        except (ClaimError, CorrectionError) as error:
            raise ValidationError({"non_field_errors": [str(error)]}) from None
        return Response(MyRecordSerializer(record, context={"request": request}).data)
