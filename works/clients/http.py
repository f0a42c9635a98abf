"""The one outbound HTTP transport: allow-listed hosts, timeouts, bounded retries.

Every upstream client (``openalex``, ``arxiv``) sends its requests through :func:`get`. A host
not in :data:`ALLOWED_HOSTS` is refused before any I/O. ``429`` and ``5xx`` answers, timeouts and
dropped connections are retried with exponential backoff, full jitter and a cap, honouring
``Retry-After``; when the retries run out the caller gets :class:`TransientError`. Every other
failure (``4xx``, a body that cannot be parsed) is :class:`PermanentError`: retrying it would only
repeat it.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

logger = logging.getLogger(__name__)

ALLOWED_HOSTS = frozenset({"api.openalex.org", "export.arxiv.org"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 3
USER_AGENT = "bzpeer/0.1 (+https://github.com/bzpeer; researcher profiles)"


class UpstreamError(Exception):
    """An upstream service failed; ``detail`` is meant for the import run's error list."""

    def __init__(self, detail: str, *, status: int | None = None, url: str = "", body: bytes = b""):
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.url = url
        self.body = body


class TransientError(UpstreamError):
    """Worth retrying later: rate limited, upstream down, network trouble."""


class PermanentError(UpstreamError):
    """Retrying cannot help: bad id, unknown record, malformed answer, refused host."""


@dataclass
class RetryPolicy:
    """How hard to try. ``sleep`` is injectable so tests never wait."""

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep)
    jitter: Callable[[float], float] = field(default=lambda cap: random.uniform(0, cap))

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        # "Full jitter": spreads a herd of workers that failed together.
        return self.jitter(min(self.max_delay, self.base_delay * 2**attempt))


DEFAULT_POLICY = RetryPolicy()


def check_allowed(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in ALLOWED_HOSTS:
        raise PermanentError(f"Refused outbound request to {parts.hostname or url!r}", url=url)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


_session: requests.Session | None = None


def session() -> requests.Session:
    global _session
    if _session is None:
        _session = requests.Session()
        _session.headers["User-Agent"] = USER_AGENT
    return _session


def get(
    url: str,
    *,
    params: dict | None = None,
    auth=None,
    policy: RetryPolicy = DEFAULT_POLICY,
    before_request: Callable[[], None] | None = None,
) -> requests.Response:
    """GET ``url`` and return a 2xx response, or raise Transient/PermanentError.

    ``before_request`` runs before every attempt (the arXiv rate limiter hooks in here, so a
    retry waits for its slot too).
    """
    check_allowed(url)
    last: UpstreamError | None = None
    redirects = 0
    for attempt in range(policy.attempts + MAX_REDIRECTS):
        if attempt - redirects >= policy.attempts:
            break
        if before_request is not None:
            before_request()
        retry_after = None
        try:
            response = session().get(
                url,
                params=params,
                auth=auth,
                timeout=(policy.connect_timeout, policy.read_timeout),
                allow_redirects=False,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            last = TransientError(f"{type(exc).__name__} talking to {url}: {exc}", url=url)
        else:
            status = response.status_code
            if 200 <= status < 300:
                return response
            if (
                status in REDIRECTS
                and redirects < MAX_REDIRECTS
                and response.headers.get("Location")
            ):
                # OpenAlex redirects a merged record to the one it was merged into. Followed by
                # hand so the new address is allow-listed before anything is sent to it.
                url = urljoin(response.url, response.headers["Location"])
                check_allowed(url)
                params, redirects = None, redirects + 1
                continue
            if status == 429 or status >= 500:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                last = TransientError(
                    f"HTTP {status} from {urlsplit(url).hostname}", status=status, url=response.url
                )
            else:
                raise PermanentError(
                    f"HTTP {status} from {urlsplit(url).hostname}: {_snippet(response)}",
                    status=status,
                    url=response.url,
                    body=response.content,
                )
        if attempt - redirects + 1 < policy.attempts:
            wait = policy.delay(attempt - redirects, retry_after)
            logger.info("retrying %s in %.1fs after %s", url, wait, last.detail)
            policy.sleep(wait)
    assert last is not None
    last.detail = f"{last.detail} (gave up after {policy.attempts} attempts)"
    last.args = (last.detail,)
    raise last


def _snippet(response: requests.Response, limit: int = 300) -> str:
    text = response.text or ""
    return " ".join(text.split())[:limit]
