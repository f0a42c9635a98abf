"""The Celery app ``make faults`` starts: bzpeer's app, with OpenAlex answered from the recording.

``celery -A bench.faults.replay_worker worker --pool=solo`` runs the real tasks against the real
broker and database; every request the OpenAlex client makes is answered here by ``responses``
(no network). The author has ``FAULTS_WORKS`` works (see ``bench/faults/corpus.py``), served
``FAULTS_PER_PAGE`` to a cursor page, each page after ``FAULTS_PAGE_DELAY`` seconds so that a kill
lands mid-import. With ``FAULTS_UPSTREAM=flaky`` the upstream misbehaves the way OpenAlex does:
a 429 with ``Retry-After`` on some pages, a 500 on others, a 503 storm that outlasts the client's
own retries on one page (so the task retries), and a truncated JSON body on one page. Each fault
served is appended to ``FAULTS_LOG`` so the report can count them.
"""

import json
import os
import re
import time
from collections import Counter

import responses

from bench.faults import corpus
from bzpeer.celery import app

__all__ = ["app"]

COUNT = int(os.environ.get("FAULTS_WORKS", "1500"))
PER_PAGE = int(os.environ.get("FAULTS_PER_PAGE", "25"))
DELAY = float(os.environ.get("FAULTS_PAGE_DELAY", "0.2"))
FLAKY = os.environ.get("FAULTS_UPSTREAM", "ok") == "flaky"
LOG = os.environ.get("FAULTS_LOG", "")
PAGES = -(-COUNT // PER_PAGE)
# Which page misbehaves how, and for how many requests (flaky mode only).
STORM_PAGE, STORM_REQUESTS = 12, 7  # more than the client's 5 attempts: the task must retry
GARBAGE_PAGE = 9
_requests: Counter = Counter()


def _fault(page: int) -> tuple[int, dict, str] | None:
    seen = _requests[page]
    if page == STORM_PAGE and seen <= STORM_REQUESTS:
        return 503, {}, "Service Unavailable"
    if page == GARBAGE_PAGE and seen == 1:
        return 200, {"Content-Type": "application/json"}, '{"meta": {"count": 5, "next_cur'
    if page % 6 == 1 and seen == 1:
        return 429, {"Retry-After": "1"}, "Too Many Requests"
    if page % 6 == 3 and seen <= 2:
        return 500, {}, "Internal Server Error"
    return None


def _page(request):
    cursor = re.search(r"[?&]cursor=([^&]*)", request.url).group(1)
    page = 0 if cursor in ("*", "%2A") else int(cursor.lstrip("c"))
    _requests[page] += 1
    time.sleep(DELAY)
    if FLAKY and (fault := _fault(page)) is not None:
        if LOG:
            with open(LOG, "a") as log:
                log.write(f"{fault[0]} {'garbage' if fault[0] == 200 else ''} page={page}\n")
        return fault
    start = page * PER_PAGE
    following = f"c{page + 1}" if page + 1 < PAGES else None
    body = {
        "meta": {"count": COUNT, "per_page": PER_PAGE, "next_cursor": following},
        "results": [corpus.work(i) for i in range(start, min(start + PER_PAGE, COUNT))],
    }
    return 200, {"Content-Type": "application/json"}, json.dumps(body)


_mock = responses.RequestsMock(assert_all_requests_are_fired=False)
_mock.get(f"https://api.openalex.org/authors/{corpus.AUTHOR_ID}", json=corpus.author())
_mock.add_callback(
    responses.GET, re.compile(r"https://api\.openalex\.org/works\?.*"), callback=_page
)
_mock.start()
