"""OpenAlex client: resolve an author, page through their works with a cursor.

URLs and authentication come from ``pyalex`` (its query builder and its ``OpenAlexAuth``, which
sends the API key as a Bearer header and the contact email as ``From``); the request itself goes
through :mod:`works.clients.http` so it gets our timeouts, retries and host allow-list (pyalex's
own session has no timeout).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import pyalex
from django.conf import settings

from bzpeer.identifiers import looks_like_orcid, openalex_id_or_none, parse_orcid
from works.clients import http
from works.clients.http import PermanentError

PER_PAGE = 100


@dataclass
class WorksPage:
    results: list[dict]
    next_cursor: str | None
    count: int | None


def configure() -> None:
    pyalex.config.api_key = settings.OPENALEX_API_KEY or None
    pyalex.config.email = settings.OPENALEX_EMAIL or None
    # Retries are ours (http.get), with Retry-After and a cap; pyalex must not add its own.
    pyalex.config.max_retries = 0


def parse_author_identifier(value: str) -> str:
    """The path segment for ``/authors/<...>``: ``A5017898742`` or ``orcid:0000-...``.

    Accepts an OpenAlex id, an openalex.org or api.openalex.org URL, a bare ORCID or an
    orcid.org URL. Anything else raises :class:`PermanentError` before any request is made.
    """
    raw = (value or "").strip()
    candidate = raw
    if "://" in raw:
        parts = urlsplit(raw)
        host = (parts.hostname or "").lower()
        segment = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
        if host.endswith("orcid.org") or host in {"openalex.org", "api.openalex.org"}:
            candidate = segment
        else:
            raise PermanentError(f"Not an OpenAlex author or ORCID URL: {raw!r}")
    if candidate.lower().startswith("orcid:"):
        candidate = candidate[6:]
    if author_id := openalex_id_or_none(candidate, "A"):
        return author_id
    if looks_like_orcid(candidate):
        try:
            return f"orcid:{parse_orcid(candidate)}"
        except ValueError as error:  # a mistyped digit: say so rather than import someone else
            raise PermanentError(str(error)) from error
    raise PermanentError(f"Not an OpenAlex author id, URL or ORCID: {raw!r}")


def _json(response) -> dict:
    try:
        data = response.json()
    except ValueError as exc:
        raise PermanentError(
            f"OpenAlex answered {response.url} with a body that is not JSON "
            f"({len(response.content)} bytes, truncated or an error page)",
            url=response.url,
        ) from exc
    if not isinstance(data, dict):
        raise PermanentError(f"OpenAlex answered {response.url} with unexpected JSON")
    return data


def _get(url: str, params: dict | None = None, policy: http.RetryPolicy | None = None) -> dict:
    configure()
    try:
        response = http.get(
            url,
            params=params,
            auth=pyalex.api.OpenAlexAuth(pyalex.config),
            policy=policy or http.DEFAULT_POLICY,
        )
    except PermanentError as exc:
        if exc.status == 404:
            raise PermanentError(f"OpenAlex has no record at {url} (404)", status=404) from exc
        raise
    return _json(response)


def get_author(identifier: str, policy: http.RetryPolicy | None = None) -> dict:
    """The OpenAlex author entity for an id, URL or ORCID."""
    key = parse_author_identifier(identifier)
    data = _get(pyalex.Authors(key).url, policy=policy)
    if not str(data.get("id", "")).startswith("https://openalex.org/A"):
        raise PermanentError(f"OpenAlex answered {key} with something that is not an author")
    return data


def get_work_by_doi(doi: str, policy: http.RetryPolicy | None = None) -> dict:
    """The OpenAlex work entity with this (bare, normalised) DOI; PermanentError with status 404
    when OpenAlex has none."""
    data = _get(pyalex.Works(f"doi:{doi}").url, policy=policy)
    if not str(data.get("id", "")).startswith("https://openalex.org/W"):
        raise PermanentError(f"OpenAlex answered doi:{doi} with something that is not a work")
    return data


def works_url(author_id: str) -> str:
    return pyalex.Works().filter(authorships={"author": {"id": author_id}}).url


def get_works_page(
    author_id: str, cursor: str = "*", policy: http.RetryPolicy | None = None
) -> WorksPage:
    """One cursor page (100 works) of an author's works."""
    data = _get(works_url(author_id), {"per-page": PER_PAGE, "cursor": cursor}, policy=policy)
    results = data.get("results")
    meta = data.get("meta") or {}
    if not isinstance(results, list):
        raise PermanentError("OpenAlex works page without a results list")
    return WorksPage(results=results, next_cursor=meta.get("next_cursor"), count=meta.get("count"))


def iter_works_pages(
    author_id: str, cursor: str = "*", policy: http.RetryPolicy | None = None
) -> Iterator[tuple[str, WorksPage]]:
    """Yield ``(cursor_used, page)`` until OpenAlex stops giving a ``next_cursor``."""
    while cursor:
        page = get_works_page(author_id, cursor, policy=policy)
        yield cursor, page
        if not page.results:
            return
        cursor = page.next_cursor or ""
