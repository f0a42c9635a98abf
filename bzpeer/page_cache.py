"""Public pages served from the cache, and a cache that never lies.

Every cached page is stored under the *data generation*: one value in the cache that changes
whenever any row of bzpeer's own tables changes. A page is never invalidated one key at a time
(there is no list of which pages show which rows to get wrong): any write anywhere makes every
cached page stale at once, and the next request renders afresh. Writes are rare next to reads
(an import, a follow, a claim), so most requests are served from the cache.

The generation changes by construction, not by remembering to call something: a database
execute wrapper, installed on every connection (``watch_writes``), sees each INSERT, UPDATE,
DELETE or COPY that names a table of bzpeer's apps, whoever runs it (a view, an import in a
worker, a raw cursor in the graph's bulk SQL). It moves the generation at once, and again when
the transaction commits: a page rendered between a write and its commit saw the old rows, so the
commit must leave it behind too.

Views mark what is public (``cached_public_page``, ``CachedPublicGetMixin``); the
``PageCacheMiddleware`` stores and serves it, ahead of the session, CSRF and authentication
layers. Only anonymous GET and HEAD requests without a session or API token are served from the
cache, and only responses that set no cookie and used no CSRF token are stored (those belong to
one visitor). The cache is optional (``BZPEER_PAGE_CACHE``, on by default when the cache is
Redis, which every process shares); while Redis is unreachable the fail-open cache misses, and
pages are rendered.
"""

import hashlib
import re
import threading
import time
from collections import OrderedDict
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

GENERATION_KEY = "bzpeer:data-generation"
# Statements that change rows, and the tables that pages are made of.
_WRITE = re.compile(r"^\s*(?:WITH\b.*?\)\s*)?(INSERT|UPDATE|DELETE|TRUNCATE|COPY)\b", re.I | re.S)
_APP_TABLE = re.compile(r'\b"?(?:works|profiles|graph|claims|follows|accounts)_\w+')


def generation() -> str:
    """The current data generation (a new one is started if the cache has none)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = bump_generation()
    return str(value)


def bump_generation() -> int:
    """Start a new data generation: every page cached so far is stale."""
    value = time.time_ns()
    cache.set(GENERATION_KEY, value, timeout=None)
    return value


def _after_commit_bump() -> None:
    bump_generation()


def watch_writes(execute, sql, params, many, context):
    """Execute wrapper: a statement that changes bzpeer's rows moves the data generation now
    and, once, when its transaction commits."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and _WRITE.match(sql) and _APP_TABLE.search(sql):
        bump_generation()
        connection = context["connection"]
        if connection.in_atomic_block:
            # One commit-time bump per transaction: the callbacks already queued are
            # (savepoint ids, function, robust) tuples.
            queued = any(entry[1] is _after_commit_bump for entry in connection.run_on_commit)
            if not queued:
                connection.on_commit(_after_commit_bump)
    return result


def install_write_watcher(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: watch this connection's writes."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def _cacheable_request(request) -> bool:
    return (
        getattr(settings, "BZPEER_PAGE_CACHE", False)
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        # A token-signed API client is a signed-in user, with the user's own throttle.
        and "Authorization" not in request.headers
    )


def _key(request) -> str:
    varying = "\n".join(
        [
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            request.headers.get("Accept", ""),
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Target", ""),
            request.headers.get("HX-History-Restore-Request", ""),
        ]
    )
    return f"bzpeer:page:{_FORMAT}:{hashlib.sha256(varying.encode()).hexdigest()}"


# What a view marks its response with (``cached_public_page``, ``CachedPublicGetMixin``): a
# public page, or an API answer that counts against the anonymous API throttle when served.
_MARK = "bzpeer_public_page"
PAGE, THROTTLED = "page", "throttled"


class _Entry(NamedTuple):
    generation: str
    kind: str
    content: bytes
    headers: list[tuple[str, str]]
    # Wall-clock time after which no copy of it is served (Redis drops it then too): a write
    # the generation missed (one made while Redis was unreachable, or outside Django) shows
    # after BZPEER_PAGE_CACHE_SECONDS at the latest.
    expires: float


# In every key: change it with _Entry's fields, so that entries stored by the code before a
# deploy are never read (unpickled) as entries of the code after it.
_FORMAT = 2


def _storable(request, response) -> bool:
    return (
        getattr(response, _MARK, None) in (PAGE, THROTTLED)
        and request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.has_header("Cache-Control")
    )


def _within_api_throttle(request) -> bool:
    """Count a cached API answer against the anonymous throttle, as the view would have."""
    from django.contrib.auth.models import AnonymousUser

    from bzpeer.throttling import AnonymousRateThrottle

    request.user = AnonymousUser()
    return AnonymousRateThrottle().allow_request(request, None)


class _LocalCopies:
    """This process's copies of recently served entries, least recently used dropped first,
    within a byte budget (``BZPEER_PAGE_CACHE_LOCAL_BYTES``). A copy is only ever served when
    its generation is the one Redis holds now, so it is exactly as fresh as Redis's; it spares
    reading a whole page from Redis on every visit (a profile is some 200 kB)."""

    def __init__(self):
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> "_Entry | None":
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires <= time.time():
                del self._entries[key]
                self._bytes -= len(entry.content)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: "_Entry") -> None:
        budget = settings.BZPEER_PAGE_CACHE_LOCAL_BYTES
        if len(entry.content) > budget:
            return
        with self._lock:
            if (old := self._entries.pop(key, None)) is not None:
                self._bytes -= len(old.content)
            self._entries[key] = entry
            self._bytes += len(entry.content)
            while self._bytes > budget:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.content)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


local_copies = _LocalCopies()


class PageCacheMiddleware:
    """Answer anonymous GETs of public pages from the cache, before the rest of the middleware.

    Placed right after WhiteNoise, so a cached page costs what a static file costs plus one
    small round trip to Redis: no session, CSRF, authentication or URL resolving. What those
    layers add to a response (the security and CSP headers, ``Vary``) was stored with it, from
    the answer the whole stack gave. Only the responses a view marked as public are stored
    (``cached_public_page``, ``CachedPublicGetMixin``), and only under the generation read
    before they were rendered: a write while one renders leaves it stale at once.

    Every request reads the current generation from Redis. A page this process served before
    is then answered from its own copy when that copy's generation is current; otherwise the
    page is read from Redis in the same round trip as the generation.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        current, entry = self._lookup(key)
        if entry is not None and (entry.kind != THROTTLED or _within_api_throttle(request)):
            response = HttpResponse(entry.content)
            for name, value in entry.headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if _storable(request, response):
            seconds = settings.BZPEER_PAGE_CACHE_SECONDS
            stored = _Entry(
                current,
                getattr(response, _MARK),
                response.content,
                list(response.items()),
                expires=time.time() + seconds,
            )
            cache.set(key, stored, seconds)
            local_copies.put(key, stored)
        return response

    @staticmethod
    def _lookup(key: str) -> tuple[str, "_Entry | None"]:
        """The current generation, and the entry for ``key`` if it was stored under it."""
        local = local_copies.get(key)
        if local is not None:
            current = cache.get(GENERATION_KEY)
            if current is not None and str(current) == local.generation:
                return local.generation, local
            found = {GENERATION_KEY: current, key: cache.get(key)}
        else:
            found = cache.get_many([GENERATION_KEY, key])
        current = found.get(GENERATION_KEY)
        current = str(bump_generation() if current is None else current)
        entry = found.get(key)
        if isinstance(entry, _Entry) and entry.generation == current:
            local_copies.put(key, entry)
            return current, entry
        return current, None


def cached_public_page(view):
    """Mark the view's answers as public pages: ``PageCacheMiddleware`` stores and serves the
    anonymous ones."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        setattr(response, _MARK, PAGE)
        return response

    return wrapper


class CachedPublicGetMixin:
    """For DRF views: mark anonymous answers as public; ``PageCacheMiddleware`` serves them
    again after counting each against the anonymous API throttle, as this view would."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method == "GET" and not request.user.is_authenticated:
            setattr(response, _MARK, THROTTLED)
        return response
