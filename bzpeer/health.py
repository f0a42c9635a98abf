"""/health/: is this instance able to serve? For the compose healthcheck and load balancers.

200 when the database answers, the broker (Redis, when ``REDIS_URL`` is set) answers a PING and
a page can be rendered (``templates/health.html`` links a static file, as every page does, so a
missing static manifest fails here as it fails every page); 503 naming what is down otherwise.
Without ``REDIS_URL`` tasks run in-process and the broker is reported as "in-process". Failures
are reported by exception class only: the endpoint is public and must not leak hostnames or
credentials.
"""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# A health check that hangs is worse than one that fails.
BROKER_TIMEOUT_SECONDS = 2


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.warning("health: database down: %r", error)
        return f"down ({type(error).__name__})"
    return "ok"


def broker_state() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
            socket_timeout=BROKER_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:
        logger.warning("health: broker down: %r", error)
        return f"down ({type(error).__name__})"
    return "ok"


def pages_state() -> str:
    """Render what every page renders besides its data: a template and a static file's URL.
    No query, and the manifest is in memory, so it stays cheap."""
    try:
        render_to_string("health.html")
    except Exception as error:
        logger.warning("health: pages cannot render: %r", error)
        return f"down ({type(error).__name__})"
    return "ok"


@require_safe
@never_cache
def health(request):
    database, broker, pages = database_state(), broker_state(), pages_state()
    healthy = database == "ok" and broker in ("ok", "in-process") and pages == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": database,
            "broker": broker,
            "pages": pages,
        },
        status=200 if healthy else 503,
    )
