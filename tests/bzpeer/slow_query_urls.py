"""The site's URLs plus a page and an API view whose query sleeps, to see what a request whose
query outlives the web statement timeout answers."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from bzpeer.urls import handler400, handler403, handler404, handler500  # noqa: F401
from bzpeer.urls import urlpatterns as site_patterns


def _sleep(request) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [float(request.GET.get("seconds", "10"))])


def slow_page(request):
    _sleep(request)
    return HttpResponse("the query finished")


@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([])
def slow_api(request):
    _sleep(request)
    return Response({"finished": True})


urlpatterns = [
    path("slow-query/", slow_page),
    path("api/slow-query/", slow_api),
    *site_patterns,
]
