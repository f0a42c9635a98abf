"""Read-only graph API: a researcher's collaborators, and the network around them."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import APIException
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from graph import network
from graph.access import get_researcher_for_user
from graph.api.serializers import CollaboratorSerializer, GraphSerializer
from graph.slice import collaborators_of

ERROR = inline_serializer(
    "GraphError", {"detail": serializers.CharField(), "code": serializers.CharField()}
)


class BadDepth(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_parameter"
    default_detail = "depth must be 1 or 2."


class CollaboratorPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema(
    summary="A researcher's co-authors",
    description="Each co-author with the number of visible works they share (a preprint and "
    "its published version count once), the first and last shared year, and whether they are "
    "a close collaborator. Most shared works first.",
    responses={200: CollaboratorSerializer(many=True), 404: ERROR},
    tags=["graph"],
)
class CollaboratorList(generics.ListAPIView):
    serializer_class = CollaboratorSerializer
    pagination_class = CollaboratorPagination
    permission_classes = [AllowAny]

    def get_queryset(self):
        researcher = get_researcher_for_user(self.request.user, self.kwargs["pk"])
        return collaborators_of(researcher.pk)


@extend_schema(
    summary="The network around a researcher",
    description='Nodes (researchers, works, topics, institutions; ids like "researcher:12") '
    "and typed edges. depth=1: the researcher's co-authors, works, topics and institutions and "
    "the links among them; depth=2 adds each co-author's strongest collaborators and topics. "
    f"At most {network.MAX_NODES} nodes.",
    parameters=[
        OpenApiParameter(
            "depth", OpenApiTypes.INT, enum=[1, 2], default=1, description="1 or 2 hops."
        )
    ],
    responses={200: GraphSerializer, 400: ERROR, 404: ERROR},
    tags=["graph"],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def researcher_graph(request, pk: int):
    raw = request.query_params.get("depth", "1")
    if raw not in ("1", "2"):
        raise BadDepth()
    depth = int(raw)
    researcher = get_researcher_for_user(request.user, pk)
    graph = network.build(researcher, depth=depth)
    data = network.as_data(graph, network.node_id("researcher", researcher.pk))
    return Response({**data, "depth": depth})
