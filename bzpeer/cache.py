"""The Redis cache, and what bzpeer does while Redis is unreachable.

The cache holds only rate-limit counters: the API throttles (``bzpeer/throttling.py``) and
allauth's sign-in, sign-up and password-reset limits. Nothing in it is needed to answer a page,
so losing Redis must not cost a single page or API answer:

- ``FailOpenRedisCache`` answers as an empty cache that keeps nothing while Redis is
  unreachable (a read misses, a write is dropped, ``add`` reports success so lock loops built on
  it go on) and logs a warning. Rate limits therefore fail open: counting starts again when
  Redis is back. Login brute force stays bounded meanwhile: django-axes counts failed logins in
  PostgreSQL (its database handler), not in the cache.
- ``MailNeedsCacheMiddleware`` keeps refusing where skipping the limit would let anyone mail
  strangers: sign-up, password reset and adding or re-sending an email address each send mail to
  an address the requester types, and their only limits live in the cache. While Redis is
  unreachable those POSTs answer a 503 page ("try again in a few minutes") instead of sending.
  Claims and invitations count in PostgreSQL, so their daily limits hold whatever Redis does.
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.shortcuts import render
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# One warning per process per this many seconds: an outage must be visible in the log without
# writing a line for every request it touches.
WARNING_INTERVAL_SECONDS = 30.0


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, answering as an empty cache while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._last_warning = None

    def _unreachable(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if self._last_warning is None or now - self._last_warning >= WARNING_INTERVAL_SECONDS:
            self._last_warning = now
            log.warning(
                "Redis cache unreachable (%s: %s): rate limits are not counted until it is back",
                operation,
                error,
            )

    def is_reachable(self) -> bool:
        try:
            return bool(self._cache.get_client(None, write=True).ping())
        except UNREACHABLE as error:
            self._unreachable("ping", error)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            self._unreachable("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as error:
            self._unreachable("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNREACHABLE as error:
            self._unreachable("has_key", error)
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("add", error)
            return True

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("set", error)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("set_many", error)
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("touch", error)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            self._unreachable("incr", error)
            # What incr() raises for a missing key: the cache is empty while Redis is away.
            raise ValueError(f"Key {key!r} not found (Redis unreachable).") from error

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            self._unreachable("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as error:
            self._unreachable("delete_many", error)

    def clear(self):
        try:
            return super().clear()
        except UNREACHABLE as error:
            self._unreachable("clear", error)
            return False


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
