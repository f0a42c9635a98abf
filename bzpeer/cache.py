"""The Redis cache, and what bzpeer does while Redis is unreachable.

The cache holds rate-limit counters (the API throttles, ``bzpeer/throttling.py``, and allauth's
sign-in, sign-up and password-reset limits) and the page cache (``bzpeer/page_cache.py``).
Nothing in it is needed to answer a page, so losing Redis must not cost a single page or API
answer:

- ``FailOpenRedisCache`` answers as an empty cache that keeps nothing while Redis is
  unreachable (a read misses, a write is dropped, ``add`` reports success so lock loops built on
  it go on) and logs a warning. Rate limits therefore fail open: counting starts again when
  Redis is back. Login brute force stays bounded meanwhile: django-axes counts failed logins in
  PostgreSQL (its database handler), not in the cache.
- ``MailNeedsCacheMiddleware`` keeps refusing where skipping the limit would let anyone mail
  strangers: sign-up, password reset and adding or re-sending an email address each send mail to
  an address the requester types, and their only limits live in the cache. While Redis is
  unreachable those POSTs answer a 503 page ("try again in a few minutes") instead of sending.
  Signing in to an unconfirmed account sends no new confirmation mail meanwhile
  (``bzpeer.site.SiteAccountAdapter``).
  Claims and invitations count in PostgreSQL, so their daily limits hold whatever Redis does.
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.shortcuts import render
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# One warning per process per this many seconds: an outage must be visible in the log without
# writing a line for every request it touches.
WARNING_INTERVAL_SECONDS = 30.0


class _ReusedClients(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool instead of building a
    new one for every cache call: building one fills a table of some 170 response callbacks,
    and that was half the time of a page served from the cache. (Django keeps a cache backend
    per thread, so the client is not shared between threads.)"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        if len(self._servers) > 1:
            # Reads go to a replica drawn at random on each call; keep Django's way.
            return super().get_client(key, write=write)
        client = self._clients.get(0)
        if client is None:
            client = self._clients[0] = super().get_client(key, write=write)
        return client


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, answering as an empty cache while Redis is unreachable.

    After a failure it does not try Redis again for ``PAUSE_SECONDS``: a Redis host that drops
    packets costs a socket timeout per attempt, which every request would otherwise pay several
    times over. The first request after the pause tries again.
    """

    PAUSE_SECONDS = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients
        self._last_warning = None
        self._paused_until = 0.0

    def _attempt(self, operation: str, fallback, call, *args):
        if time.monotonic() < self._paused_until:
            return fallback
        try:
            return call(*args)
        except UNREACHABLE as error:
            self._unreachable(operation, error)
            return fallback

    def _unreachable(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        self._paused_until = now + self.PAUSE_SECONDS
        if self._last_warning is None or now - self._last_warning >= WARNING_INTERVAL_SECONDS:
            self._last_warning = now
            log.warning(
                "Redis cache unreachable (%s: %s): rate limits are not counted until it is back",
                operation,
                error,
            )

    def is_reachable(self) -> bool:
        client = self._cache.get_client(None, write=True)
        return bool(self._attempt("ping", False, client.ping))

    def get(self, key, default=None, version=None):
        return self._attempt("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._attempt("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._attempt("has_key", False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Reported as added, so lock loops built on add() (allauth's) go on rather than wait.
        return self._attempt("add", True, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("set_many", list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("touch", False, super().touch, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._attempt("incr", missing, super().incr, key, delta, version)
        if value is missing:
            # What incr() raises for a missing key: the cache is empty while Redis is away.
            raise ValueError(f"Key {key!r} not found (Redis unreachable).")
        return value

    def delete(self, key, version=None):
        return self._attempt("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._attempt("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._attempt("clear", False, super().clear)


def cache_reachable() -> bool:
    """Whether the cache can count right now (always, for caches that cannot go away)."""
    check = getattr(caches["default"], "is_reachable", None)
    return check() if check is not None else True


# allauth's views that mail an address the requester types, limited only in the cache.
MAIL_SENDING_ACCOUNT_VIEWS = frozenset(
    {"account_signup", "account_reset_password", "account_email"}
)


class MailNeedsCacheMiddleware:
    """While the cache is unreachable, refuse the account actions that mail a typed address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        match = request.resolver_match
        if match is None or match.url_name not in MAIL_SENDING_ACCOUNT_VIEWS:
            return None
        if cache_reachable():
            return None
        response = render(
            request,
            "503.html",
            {
                "reason": "Sign-up, password reset and email changes are paused for a few "
                "minutes while a part of bzpeer is down. Nothing was sent. Please try again "
                "shortly."
            },
            status=503,
        )
        response["Retry-After"] = "120"
        return response
