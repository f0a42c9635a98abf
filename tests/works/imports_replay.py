"""Replaying the recorded OpenAlex and arXiv answers through the real clients (``responses``)."""

import contextlib
import json
import re

import responses

from tests.conftest import ARXIV, OPENALEX
from works.clients import http

AUTHOR_ID = "A5017898742"
AUTHOR_URL = f"https://api.openalex.org/authors/{AUTHOR_ID}"
WORKS_URL = re.compile(r"https://api\.openalex\.org/works\?filter=authorships\.author\.id")
ARXIV_URL = "https://export.arxiv.org/api/query"


def load(name: str) -> dict:
    return json.loads((OPENALEX / name).read_text())


def author() -> dict:
    return load(f"author-{AUTHOR_ID}.json")


def all_works() -> list[dict]:
    return load(f"works-by-{AUTHOR_ID}-per_page50.json")["results"]


def page_body(results: list[dict], next_cursor: str | None, count: int) -> dict:
    """A works list page. The recorded pages were requested with ``page=`` and carry no
    ``next_cursor``: the cursor is set here by the test, everything else is the real record."""
    return {
        "meta": {"count": count, "per_page": 100, "next_cursor": next_cursor},
        "results": results,
    }


def add_author(rsps) -> None:
    rsps.get(AUTHOR_URL, json=author())


def add_pages(rsps, pages: list[list[dict]]) -> None:
    """Register one cursor page per list, chained ``*`` -> ``c1`` -> ... -> null."""
    count = sum(len(p) for p in pages)
    for index, results in enumerate(pages):
        cursor = "*" if index == 0 else f"c{index}"
        following = f"c{index + 1}" if index + 1 < len(pages) else None
        rsps.get(
            WORKS_URL,
            json=page_body(results, following, count),
            match=[responses.matchers.query_param_matcher({"cursor": cursor}, strict_match=False)],
        )


def arxiv_body(name: str) -> bytes:
    return (ARXIV / name).read_bytes()


def no_wait_policy(attempts: int = 4) -> http.RetryPolicy:
    sleeps: list[float] = []
    policy = http.RetryPolicy(attempts=attempts, sleep=sleeps.append, jitter=lambda cap: cap)
    policy.sleeps = sleeps  # type: ignore[attr-defined]
    return policy


@contextlib.contextmanager
def eager_tasks():
    """Run Celery tasks in-process whatever REDIS_URL says (the app reads it at start-up)."""
    from bzpeer.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before
