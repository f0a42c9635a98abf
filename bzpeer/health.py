"""/health/: is this instance able to serve? For the compose healthcheck and load balancers.

200 when the database answers and the broker (Redis, when ``REDIS_URL`` is set) answers a PING;
503 naming what is down otherwise. Without ``REDIS_URL`` tasks run in-process and the broker is
reported as "in-process". Failures are reported by exception class only: the endpoint is
public and must not leak hostnames or credentials.
"""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
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


@require_safe
@never_cache
def health(request):
    database, broker = database_state(), broker_state()
    healthy = database == "ok" and broker in ("ok", "in-process")
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
