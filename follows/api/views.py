"""/api/me/follows/: the signed-in user's follows, through the same actions as the web pages."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bzpeer.api.errors import ErrorSerializer
from bzpeer.api.params import CappedPageNumberPagination, StrictFilterBackend
from follows import actions
from follows.api.serializers import FollowRequestSerializer, FollowSerializer
from follows.models import Follow
from profiles.api.views import get_public_researcher_or_404
from works.models import Researcher

SIGNED_OUT = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(ErrorSerializer, description="Not signed in (session without CSRF)."),
}


def get_followable_researcher_or_404(raw_pk) -> Researcher:
    """A canonical record: following a merged one would follow a page nobody sees."""
    return get_public_researcher_or_404(raw_pk, Researcher.objects.canonical())


@extend_schema(
    methods=["GET"],
    responses={200: FollowSerializer(many=True), 400: ErrorSerializer, **SIGNED_OUT},
)
@extend_schema(
    methods=["POST"],
    request=FollowRequestSerializer,
    responses={
        201: FollowSerializer,
        200: OpenApiResponse(FollowSerializer, description="Already followed: nothing changed."),
        400: ErrorSerializer,
        404: ErrorSerializer,
        **SIGNED_OUT,
    },
)
class MyFollows(generics.ListAPIView):
    """Researchers you follow, newest first; POST ``{"researcher": id}`` to follow one
    (following twice is one follow)."""

    serializer_class = FollowSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = CappedPageNumberPagination
    filter_backends = [StrictFilterBackend]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Follow.objects.none()
        return Follow.objects.filter(user=self.request.user).select_related("researcher")

    def post(self, request):
        payload = FollowRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        researcher = get_followable_researcher_or_404(payload.validated_data["researcher"])
        created = actions.follow(request.user, researcher)
        follow = Follow.objects.select_related("researcher").get(
            user=request.user, researcher=researcher
        )
        return Response(
            FollowSerializer(follow).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@extend_schema(
    parameters=[OpenApiParameter("researcher", int, OpenApiParameter.PATH)],
    responses={204: None, 404: ErrorSerializer, **SIGNED_OUT},
)
class MyFollow(APIView):
    """DELETE to stop following a researcher."""

    permission_classes = [IsAuthenticated]

    def delete(self, request, researcher: str):
        target = get_public_researcher_or_404(researcher)
        if not actions.unfollow(request.user, target):
            raise NotFound("You do not follow this researcher.")
        return Response(status=status.HTTP_204_NO_CONTENT)
