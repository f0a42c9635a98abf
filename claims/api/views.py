"""/api/me/claims/: the signed-in user's own claims and their state (never anyone else's)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated

from bzpeer.api.errors import ErrorSerializer
from bzpeer.api.params import CappedPageNumberPagination, StrictFilterBackend
from claims.api.serializers import MyClaimSerializer
from claims.models import Claim


@extend_schema(
    responses={
        200: MyClaimSerializer(many=True),
        400: ErrorSerializer,
        401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
        403: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    }
)
class MyClaims(generics.ListAPIView):
    """Your claims, newest first, with their status and the reviewer's reason."""

    serializer_class = MyClaimSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = CappedPageNumberPagination
    filter_backends = [StrictFilterBackend]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Claim.objects.none()
        user = self.request.user
        assert user.is_authenticated  # IsAuthenticated let the request in
        return Claim.objects.filter(claimant=user).select_related("researcher")
