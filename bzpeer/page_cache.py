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

Only anonymous GET and HEAD requests without a session are served from the cache, and only
responses that set no cookie and used no CSRF token are stored (those belong to one visitor). The
cache is optional (``BZPEER_PAGE_CACHE``, on by default when the cache is Redis, which every
process shares); while Redis is unreachable the fail-open cache misses, and pages are rendered.
"""

import hashlib
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

GENERATION_KEY = "bzpeer:data-generation"
# Statements that change rows, and the tables that pages are made of.
_WRITE = re.compile(r"^\s*(?:WITH\b.*?\)\s*)?(INSERT|UPDATE|DELETE|TRUNCATE|COPY)\b", re.I | re.S)
_APP_TABLE = re.compile(r'\b"?(?:works|profiles|graph|claims|follows|accounts)_\w+')
# Headers a cached page keeps; the middleware adds the rest (security headers, CSP) again.
_KEPT_HEADERS = ("Content-Type", "Vary", "Content-Language")


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
    )


def _key(request) -> str:
    varying = "\n".join(
        [
            request.get_full_path(),
            request.headers.get("Accept", ""),
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Target", ""),
            request.headers.get("HX-History-Restore-Request", ""),
        ]
    )
    digest = hashlib.sha256(varying.encode()).hexdigest()
    return f"bzpeer:page:{generation()}:{digest}"


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.has_header("Cache-Control")
    )


def _from_cache(key: str) -> HttpResponse | None:
    stored = cache.get(key)
    if stored is None:
        return None
    content, headers = stored
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


def _store(key: str, request, response) -> None:
    if _storable(request, response):
        headers = [(h, response[h]) for h in _KEPT_HEADERS if response.has_header(h)]
        cache.set(key, (response.content, headers), settings.BZPEER_PAGE_CACHE_SECONDS)


def cached_public_page(view):
    """Serve the view's anonymous GETs from the cache, under the current data generation."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        if (cached := _from_cache(key)) is not None:
            return cached
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        _store(key, request, response)
        return response

    return wrapper


class CachedPublicGetMixin:
    """For DRF views: answer anonymous GETs from the page cache, after authentication and the
    throttles have run (``initial``), so a cached answer still counts against the limits."""

    def get(self, request, *args, **kwargs):
        if not _cacheable_request(request) or request.user.is_authenticated:
            return super().get(request, *args, **kwargs)
        key = _key(request)
        if (cached := _from_cache(key)) is not None:
            return cached
        # finalize_response picks the renderer (dispatch calls it again, harmlessly), so the
        # rendered bytes can be stored.
        response = self.finalize_response(request, super().get(request, *args, **kwargs))
        response.render()
        _store(key, request, response)
        return response
