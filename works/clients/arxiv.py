"""arXiv client: the Atom query API, parsed with defusedxml, one request per 3 s everywhere.

arXiv asks for at most one request every three seconds. Several workers share that budget, so
with ``REDIS_URL`` set the slot is a Redis key (``SET NX PX``: whoever sets it may send, the
others wait for it to expire); without Redis an in-process lock does the same for threads.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from defusedxml import ElementTree
from django.conf import settings

from bzpeer import identifiers
from works.clients import http
from works.clients.http import PermanentError

API_URL = "https://export.arxiv.org/api/query"
MIN_INTERVAL = 3.0
PER_PAGE = 100
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}


class InProcessRateLimiter:
    def __init__(
        self,
        interval: float = MIN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        with self._lock:
            now = self.clock()
            if now < self._next:
                self.sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


class RedisRateLimiter:
    """One slot per ``interval`` for every process that shares the Redis database."""

    key = "bzpeer:arxiv:request-slot"

    def __init__(
        self,
        client,
        interval: float = MIN_INTERVAL,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.client = client
        self.interval = interval
        self.sleep = sleep

    def wait(self) -> None:
        ms = int(self.interval * 1000)
        while not self.client.set(self.key, "1", nx=True, px=ms):
            remaining = self.client.pttl(self.key)
            self.sleep(max(remaining, 50) / 1000 if remaining > 0 else 0.05)


_limiter: InProcessRateLimiter | RedisRateLimiter | None = None


def rate_limiter() -> InProcessRateLimiter | RedisRateLimiter:
    global _limiter
    if _limiter is None:
        if settings.REDIS_URL:
            import redis

            _limiter = RedisRateLimiter(redis.Redis.from_url(settings.REDIS_URL))
        else:
            _limiter = InProcessRateLimiter()
    return _limiter


@dataclass
class ArxivAuthor:
    name: str
    affiliations: list[str] = field(default_factory=list)


@dataclass
class ArxivEntry:
    arxiv_id: str
    version: int | None
    title: str
    summary: str
    authors: list[ArxivAuthor]
    published: datetime | None
    updated: datetime | None
    doi: str
    journal_ref: str
    primary_category: str
    categories: list[str]
    abs_url: str
    pdf_url: str
    comment: str = ""


@dataclass
class ArxivFeed:
    total: int
    start: int
    per_page: int
    entries: list[ArxivEntry]


def _text(node, path: str) -> str:
    found = node.find(path, NS)
    return " ".join((found.text or "").split()) if found is not None else ""


def _int(node, path: str, default: int = 0) -> int:
    value = _text(node, path)
    return int(value) if value.isdigit() else default


def _when(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def split_arxiv_id(value: str) -> tuple[str, int | None]:
    """``http://arxiv.org/abs/1201.4869v1`` -> ``("1201.4869", 1)``; old ids keep their archive."""
    parts = identifiers.split_arxiv_id(value) if "arxiv.org/abs/" in value else None
    if parts is None:
        raise PermanentError(f"Not an arXiv abs URL: {value!r}")
    return parts


def _entry(node) -> ArxivEntry:
    arxiv_id, version = split_arxiv_id(_text(node, "atom:id"))
    links = node.findall("atom:link", NS)
    abs_url = pdf_url = ""
    for link in links:
        href = link.get("href", "")
        if link.get("title") == "pdf" or link.get("type") == "application/pdf":
            pdf_url = pdf_url or href
        elif link.get("rel") == "alternate":
            abs_url = abs_url or href
    authors = [
        ArxivAuthor(
            name=_text(author, "atom:name"),
            affiliations=[
                " ".join((a.text or "").split())
                for a in author.findall("arxiv:affiliation", NS)
                if (a.text or "").strip()
            ],
        )
        for author in node.findall("atom:author", NS)
    ]
    primary = node.find("arxiv:primary_category", NS)
    return ArxivEntry(
        arxiv_id=arxiv_id,
        version=version,
        title=_text(node, "atom:title"),
        summary=(node.findtext("atom:summary", "", NS) or "").strip(),
        authors=[a for a in authors if a.name],
        published=_when(_text(node, "atom:published")),
        updated=_when(_text(node, "atom:updated")),
        doi=_text(node, "arxiv:doi").lower(),
        journal_ref=_text(node, "arxiv:journal_ref"),
        primary_category=primary.get("term", "") if primary is not None else "",
        categories=[c.get("term", "") for c in node.findall("atom:category", NS)],
        abs_url=abs_url.replace("http://", "https://", 1),
        pdf_url=pdf_url.replace("http://", "https://", 1),
        comment=_text(node, "arxiv:comment"),
    )


def _error_message(root) -> str | None:
    for node in root.findall("atom:entry", NS):
        if "/api/errors" in _text(node, "atom:id"):
            return _text(node, "atom:summary") or "arXiv reported an error"
    return None


def parse_feed(body: bytes) -> ArxivFeed:
    """Parse an Atom feed (2016 or current format); arXiv's error feed raises PermanentError."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise PermanentError(f"arXiv answered with a feed that is not valid XML: {exc}") from exc
    except Exception as exc:  # defusedxml refuses entities, DTDs and the like.
        raise PermanentError(f"arXiv answered with a feed we refuse to parse: {exc}") from exc
    if root.tag != f"{{{NS['atom']}}}feed":
        raise PermanentError("arXiv answered with XML that is not an Atom feed")
    error = _error_message(root)
    if error:
        raise PermanentError(f"arXiv API error: {error}")
    return ArxivFeed(
        total=_int(root, "opensearch:totalResults"),
        start=_int(root, "opensearch:startIndex"),
        per_page=_int(root, "opensearch:itemsPerPage"),
        entries=[_entry(node) for node in root.findall("atom:entry", NS)],
    )


def _fetch(params: dict, policy: http.RetryPolicy | None) -> ArxivFeed:
    try:
        response = http.get(
            API_URL,
            params=params,
            policy=policy or http.DEFAULT_POLICY,
            before_request=rate_limiter().wait,
        )
    except PermanentError as exc:
        # arXiv explains a 400 in an Atom error feed; surface its words, not just the status.
        if exc.body.lstrip().startswith(b"<"):
            parse_feed(exc.body)
        raise
    return parse_feed(response.content)


def search(
    query: str, start: int = 0, max_results: int = PER_PAGE, policy: http.RetryPolicy | None = None
) -> ArxivFeed:
    """One page of ``search_query`` results, oldest submissions first."""
    if not query.strip():
        raise PermanentError("Empty arXiv query")
    return _fetch(
        {
            "search_query": query,
            "start": start,
            "max_results": max_results,
            "sortBy": "submittedDate",
            "sortOrder": "ascending",
        },
        policy,
    )


def by_ids(ids: list[str], policy: http.RetryPolicy | None = None) -> ArxivFeed:
    return _fetch({"id_list": ",".join(ids), "max_results": len(ids)}, policy)


def author_query(name: str) -> str:
    """``au:`` query for a display name; arXiv matches names, so homonyms come back too."""
    cleaned = " ".join(re.sub(r"[\"():]", " ", name).split())
    return f'au:"{cleaned}"'
