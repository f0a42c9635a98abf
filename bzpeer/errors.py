"""The site's error answers (``handler400``, ``handler403``, ``handler500`` in bzpeer/urls.py).

Pages get the site's own error page (header, a way back, never a stack trace); the API gets the
JSON error shape of ``bzpeer/api/errors.py``. An error caused by a backing service that is down
(PostgreSQL, Redis, the Celery broker) is a 503 "temporarily unavailable", not a 500: nothing is
wrong with the request, and the next one after the service returns is answered as usual (each
request opens its database connection afresh, or checks a persistent one).

The 500 and 503 pages are rendered without the request's context processors: those read the
session and the user, which needs the database that may be the thing that is down.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Errors that mean "a service we depend on cannot be reached", not "this code is wrong". A
# statement cancelled by the statement timeout is an OperationalError too: also a 503.
OUTAGES = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    BrokerUnreachable,
)
RETRY_AFTER_SECONDS = 30
FALLBACK_PAGE = (
    '<!doctype html><html lang="en"><title>bzpeer: error %d</title>'
    '<h1>bzpeer</h1><p>Something went wrong. Please try again in a minute.</p><a href="/">Home</a>'
)

log = logging.getLogger(__name__)


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def is_outage(error: BaseException | None) -> bool:
    # Follow explicit ``raise ... from`` chains only: an implicit context may be an outage that
    # was handled before an unrelated bug was raised.
    while error is not None:
        if isinstance(error, OUTAGES):
            return True
        error = error.__cause__
    return False


def page(template_name: str, status: int) -> HttpResponse:
    """An error page rendered without the request; if even that fails, plain words."""
    try:
        return HttpResponse(loader.render_to_string(template_name), status=status)
    except Exception:
        # Whatever broke the template (a missing static file, say) must not turn this answer
        # into the web server's bare error: log it and answer in plain HTML.
        log.exception("Could not render %s", template_name)
        return HttpResponse(FALLBACK_PAGE % status, status=status)


def unavailable(request) -> HttpResponse:
    if is_api(request):
        response = JsonResponse(
            {
                "detail": "The service is temporarily unavailable. Try again in a minute.",
                "code": "unavailable",
            },
            status=503,
        )
    else:
        response = page("503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request) -> HttpResponse:
    """``handler500``: called while the unhandled exception is being handled."""
    if is_outage(sys.exc_info()[1]):
        return unavailable(request)
    if is_api(request):
        return JsonResponse(
            {"detail": "Server error. It has been logged.", "code": "server_error"}, status=500
        )
    return page("500.html", 500)


def bad_request(request, exception) -> HttpResponse:
    """``handler400``: a request Django refused (a bad Host header, a malformed upload)."""
    if is_api(request):
        return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception) -> HttpResponse:
    """``handler403`` (a CSRF failure has its own page, templates/403_csrf.html)."""
    if is_api(request):
        return JsonResponse(
            {"detail": "You do not have permission to do this.", "code": "permission_denied"},
            status=403,
        )
    return defaults.permission_denied(request, exception)
