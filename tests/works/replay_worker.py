"""The Celery app for the real-worker tests: bzpeer's app, with upstream HTTP replayed.

``celery -A tests.works.replay_worker worker --pool=solo`` runs the real tasks against the real
broker and database, but every request the clients make is answered by ``responses`` from the
recorded OpenAlex files, so the worker never touches the network. The recorded author's nine
works are served one per cursor page (the recording has no cursor: the chain ``*``, ``c1`` ...
``c8`` is made here), each page after ``BZPEER_REPLAY_PAGE_DELAY`` seconds, so a test can kill the
worker mid-import.
"""

import json
import os
import re
import time
from pathlib import Path

import responses

from bzpeer.celery import app

__all__ = ["app"]

OPENALEX = Path(__file__).resolve().parents[2] / "works" / "demo" / "openalex"
AUTHOR = json.loads((OPENALEX / "author-A5017898742.json").read_text())
WORKS = json.loads((OPENALEX / "works-by-A5017898742-per_page50.json").read_text())["results"]
DELAY = float(os.environ.get("BZPEER_REPLAY_PAGE_DELAY", "0"))


def _page(request):
    cursor = re.search(r"[?&]cursor=([^&]*)", request.url).group(1)
    index = 0 if cursor in ("*", "%2A") else int(cursor.lstrip("c"))
    time.sleep(DELAY)
    following = f"c{index + 1}" if index + 1 < len(WORKS) else None
    body = {
        "meta": {"count": len(WORKS), "per_page": 1, "next_cursor": following},
        "results": [WORKS[index]],
    }
    return 200, {"Content-Type": "application/json"}, json.dumps(body)


_mock = responses.RequestsMock(assert_all_requests_are_fired=False)
_mock.get("https://api.openalex.org/authors/A5017898742", json=AUTHOR)
_mock.add_callback(
    responses.GET, re.compile(r"https://api\.openalex\.org/works\?.*"), callback=_page
)
_mock.start()
