"""The site's URLs plus views that fail, to see the error pages a visitor would get."""

import redis
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from bzpeer.urls import handler400, handler403, handler404, handler500  # noqa: F401
from bzpeer.urls import urlpatterns as site_patterns
from tests.bzpeer.private_services import free_port


def crash(request):
    raise RuntimeError("secret detail of the crash")


def forbidden(request):
    raise PermissionDenied("secret detail of the refusal")


def suspicious(request):
    raise SuspiciousOperation("secret detail of the bad request")


def redis_unreachable(request):
    # A real refused connection: nothing listens on a fresh free port.
    redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=1).ping()


urlpatterns = [
    path("test-errors/crash/", crash),
    path("api/test-errors/crash/", crash),
    path("test-errors/forbidden/", forbidden),
    path("api/test-errors/forbidden/", forbidden),
    path("test-errors/suspicious/", suspicious),
    path("test-errors/redis/", redis_unreachable),
    path("api/test-errors/redis/", redis_unreachable),
    *site_patterns,
]
