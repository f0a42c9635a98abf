"""API throttles: one budget per anonymous client address, one per signed-in user.

DRF's stock pair does not split clients that way: its ``UserRateThrottle`` also counts anonymous
requests (keyed by address), so an anonymous client was held to the lower of the two rates and
raising the anonymous rate alone changed nothing. Here each request meets exactly one throttle.

Rates are read from settings on every request (``BZPEER_API_ANON_RATE``,
``BZPEER_API_USER_RATE``), so a test or an operator changes one setting, not a class attribute.
A refused request is a 429 whose ``Retry-After`` says how many seconds until the next one
counts. While the cache is unreachable the counters read empty and the throttles let requests
through (``bzpeer/cache.py``).
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class AnonymousRateThrottle(SimpleRateThrottle):
    """Anonymous clients, by address (``DJANGO_NUM_PROXIES`` says which X-Forwarded-For hop)."""

    scope = "anon"

    def get_rate(self):
        return settings.BZPEER_API_ANON_RATE

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SignedInRateThrottle(SimpleRateThrottle):
    """Signed-in clients (session or token), by user, wherever they connect from."""

    scope = "user"

    def get_rate(self):
        return settings.BZPEER_API_USER_RATE

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
