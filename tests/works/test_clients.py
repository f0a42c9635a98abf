"""The HTTP clients against the recorded upstream answers: paging, retries, errors, allow-list."""

import json
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
import requests
import responses

from tests.works import imports_replay as replay
from works.clients import arxiv, http, openalex
from works.clients.http import PermanentError, TransientError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_arxiv_wait(monkeypatch):
    monkeypatch.setattr(arxiv, "_limiter", arxiv.InProcessRateLimiter(sleep=lambda s: None))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("A5017898742", "A5017898742"),
        ("a5017898742", "A5017898742"),
        ("https://openalex.org/A5017898742", "A5017898742"),
        ("https://api.openalex.org/authors/A5017898742", "A5017898742"),
        ("0000-0002-1825-0097", "orcid:0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1694-233x", "orcid:0000-0002-1694-233X"),
        ("orcid:0000-0002-1825-0097", "orcid:0000-0002-1825-0097"),
    ],
)
def test_it_accepts_openalex_ids_urls_and_orcids(value, expected):
    assert openalex.parse_author_identifier(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "W3188841554", "A12x", "https://evil.example/A5017898742", "0000-0002-1825", "A1 OR 1=1"],
)
def test_it_rejects_malformed_author_ids_before_any_request(value):
    with responses.RequestsMock() as rsps, pytest.raises(PermanentError):
        openalex.get_author(value)
    assert len(rsps.calls) == 0


def test_it_refuses_hosts_outside_the_allow_list_before_any_io():
    with responses.RequestsMock() as rsps:
        for url in ["https://example.org/x", "http://api.openalex.org/works", "file:///etc/passwd"]:
            with pytest.raises(PermanentError, match="Refused"):
                http.get(url)
    assert len(rsps.calls) == 0


@responses.activate
def test_it_fetches_an_author_with_the_api_key_and_contact_email(settings):
    settings.OPENALEX_API_KEY = "secret-key"
    settings.OPENALEX_EMAIL = "ops@example.org"
    replay.add_author(responses)
    data = openalex.get_author("https://openalex.org/A5017898742")
    assert data["display_name"] == "Joseph Mearman"
    request = responses.calls[0].request
    assert request.headers["Authorization"] == "Bearer secret-key"
    assert request.headers["From"] == "ops@example.org"


@responses.activate
def test_it_resolves_an_author_by_orcid():
    responses.get(
        "https://api.openalex.org/authors/orcid%3A0000-0002-1825-0097", json=replay.author()
    )
    assert openalex.get_author("0000-0002-1825-0097")["id"].endswith("A5017898742")


@responses.activate
def test_an_unknown_author_is_a_permanent_error_naming_the_404():
    responses.get("https://api.openalex.org/authors/A1000", status=404, json={"error": "not found"})
    with pytest.raises(PermanentError, match="404"):
        openalex.get_author("A1000")


@responses.activate
def test_it_follows_the_cursor_until_next_cursor_is_null():
    works = replay.all_works()
    # The recorded pages carry no next_cursor: the test splits the real page and chains them.
    replay.add_pages(responses, [works[:5], works[5:]])
    pages = list(openalex.iter_works_pages(replay.AUTHOR_ID))
    assert [cursor for cursor, _ in pages] == ["*", "c1"]
    assert sum(len(page.results) for _, page in pages) == 9
    first = responses.calls[0].request
    assert ("per-page=100" in first.url and "cursor=%2A" in first.url) or "cursor=*" in first.url


@responses.activate
def test_a_429_with_retry_after_is_waited_for_then_retried():
    responses.get(replay.AUTHOR_URL, status=429, headers={"Retry-After": "7"})
    replay.add_author(responses)
    policy = replay.no_wait_policy()
    assert openalex.get_author(replay.AUTHOR_ID, policy=policy)["display_name"] == "Joseph Mearman"
    assert policy.sleeps == [7.0]


@responses.activate
def test_backoff_is_exponential_and_capped():
    for _ in range(5):
        responses.get(replay.AUTHOR_URL, status=503)
    policy = http.RetryPolicy(
        attempts=5, base_delay=1, max_delay=4, sleep=(sleeps := []).append, jitter=lambda c: c
    )
    with pytest.raises(TransientError, match="gave up after 5 attempts"):
        openalex.get_author(replay.AUTHOR_ID, policy=policy)
    assert sleeps == [1, 2, 4, 4]


@responses.activate
def test_a_dropped_connection_is_transient():
    responses.get(replay.AUTHOR_URL, body=requests.ConnectionError("reset"))
    with pytest.raises(TransientError):
        openalex.get_author(replay.AUTHOR_ID, policy=replay.no_wait_policy(attempts=1))


@responses.activate
def test_a_truncated_body_is_a_clear_permanent_error():
    body = (replay.OPENALEX / "author-A5017898742.json").read_text()[:500]
    responses.get(replay.AUTHOR_URL, body=body, content_type="application/json")
    with pytest.raises(PermanentError, match="not JSON"):
        openalex.get_author(replay.AUTHOR_ID)


@responses.activate
def test_a_400_from_openalex_is_not_retried():
    responses.get(replay.AUTHOR_URL, status=400, json={"error": "Invalid query parameters"})
    with pytest.raises(PermanentError, match="HTTP 400"):
        openalex.get_author(replay.AUTHOR_ID, policy=replay.no_wait_policy())
    assert len(responses.calls) == 1


def test_retry_after_accepts_an_http_date():
    assert http.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert http.parse_retry_after("12") == 12.0
    assert http.parse_retry_after("soon") is None


# arXiv -----------------------------------------------------------------------------------


@responses.activate
def test_it_parses_the_legacy_2016_feed():
    responses.get(replay.ARXIV_URL, body=replay.arxiv_body("query-au_del_maestro-2016.atom.xml"))
    feed = arxiv.search(arxiv.author_query("Adrian Del Maestro"))
    assert (feed.total, feed.start, len(feed.entries)) == (31, 0, 10)
    first = feed.entries[0]
    assert (first.arxiv_id, first.version) == ("1201.4869", 1)
    assert first.title == "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores"
    assert first.doi == "10.1142/s021797921244002x"
    assert first.journal_ref == "Int. J. Mod. Phys. B, 26, 1244002 (2012)"
    assert first.authors[0].name == "Adrian Del Maestro"
    assert first.published.tzinfo is not None
    assert first.primary_category
    assert 'au:"Adrian Del Maestro"' in responses.calls[0].request.url.replace("%22", '"').replace(
        "+", " "
    ).replace("%3A", ":")


@responses.activate
def test_it_parses_the_current_feed():
    responses.get(replay.ARXIV_URL, body=replay.arxiv_body("query-testing-2026.atom.xml"))
    feed = arxiv.search("all:testing")
    assert len(feed.entries) == 10
    entry = feed.entries[0]
    assert entry.arxiv_id == "2202.12139"
    assert entry.pdf_url == "https://arxiv.org/pdf/2202.12139v1"
    assert entry.abs_url == "https://arxiv.org/abs/2202.12139v1"
    assert entry.primary_category == "cs.SE"
    assert entry.doi == "10.1109/icstw55395.2022.00035"
    assert sum(1 for e in feed.entries if e.doi) == 6


@responses.activate
def test_it_keeps_old_style_ids_and_affiliations():
    responses.get(replay.ARXIV_URL, body=replay.arxiv_body("id-astro-ph_0601001-2026.atom.xml"))
    entry = arxiv.by_ids(["astro-ph/0601001"]).entries[0]
    assert entry.arxiv_id == "astro-ph/0601001"
    assert len(entry.authors) == 4
    assert any(author.affiliations for author in entry.authors)


@responses.activate
def test_the_arxiv_400_error_feed_becomes_a_permanent_error_with_its_message():
    responses.get(
        replay.ARXIV_URL, status=400, body=replay.arxiv_body("error-400-id_abc-2026.atom.xml")
    )
    with pytest.raises(PermanentError, match="incorrect id format for abc"):
        arxiv.by_ids(["abc"])


@responses.activate
def test_an_empty_feed_has_no_entries():
    responses.get(replay.ARXIV_URL, body=replay.arxiv_body("empty-id_0808.05394-2026.atom.xml"))
    feed = arxiv.by_ids(["0808.05394"])
    assert (feed.total, feed.entries) == (0, [])


@responses.activate
def test_a_feed_that_is_not_xml_is_a_permanent_error():
    responses.get(replay.ARXIV_URL, body=b"<html><body>Bad gateway")
    with pytest.raises(PermanentError, match="not valid XML"):
        arxiv.search("all:x")


def test_the_in_process_limiter_spaces_requests_three_seconds_apart():
    now = [100.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    limiter = arxiv.InProcessRateLimiter(clock=lambda: now[0], sleep=sleep)
    limiter.wait()
    now[0] += 1.0
    limiter.wait()
    limiter.wait()
    assert sleeps == [2.0, 3.0]


# One arXiv client process: it waits for "go" on stdin, sends its requests through the Redis
# slot to a replayed arXiv (the callback notes when each arrives, on the machine-wide monotonic
# clock) and prints its pid and those times.
SLOT_USER = """
import json, os, sys, time
import redis, responses
from works.clients import arxiv

url, interval, count, feed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
# The production limiter, at a shorter interval than arXiv's 3 s to keep the test quick.
arxiv._limiter = arxiv.RedisRateLimiter(redis.Redis.from_url(url), interval=interval)
body, sent = open(feed, "rb").read(), []

def answer(request):
    sent.append(time.clock_gettime(time.CLOCK_MONOTONIC))
    return 200, {}, body

with responses.RequestsMock() as rsps:
    rsps.add_callback(responses.GET, arxiv.API_URL, callback=answer)
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(count):
        arxiv.search("all:x")
print(json.dumps({"pid": os.getpid(), "sent": sent}), flush=True)
"""


def test_the_redis_limiter_spaces_requests_from_separate_processes(settings, tmp_path):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL not set")
    import redis

    interval, processes, each = 0.5, 3, 2
    # A request is noted a little after its slot was taken (the HTTP call between them, more on
    # a loaded machine), so one gap may look shorter than the slot by that much; a slot of each
    # process's own gives gaps near 0.
    slack = 0.2
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(arxiv.RedisRateLimiter.key)
    feed = tmp_path / "empty.atom.xml"
    feed.write_bytes(replay.arxiv_body("empty-id_0808.05394-2026.atom.xml"))
    command = [sys.executable, "-c", SLOT_USER, settings.REDIS_URL, str(interval), str(each)]
    users = [
        subprocess.Popen(
            [*command, str(feed)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    try:
        # Every process is up before any sends, so they contend for the slot from the start.
        for user in users:
            line = user.stdout.readline()
            assert line == "ready\n", user.communicate(timeout=30)[1]
        for user in users:
            user.stdin.write("go\n")
            user.stdin.flush()
        reports = []
        for user in users:
            out, err = user.communicate(timeout=60)
            assert user.returncode == 0, err
            reports.append(json.loads(out))
    finally:
        for user in users:
            if user.poll() is None:
                user.kill()
                user.wait()
        client.delete(arxiv.RedisRateLimiter.key)

    pids = {report["pid"] for report in reports}
    assert len(pids) == processes and os.getpid() not in pids
    assert all(len(report["sent"]) == each for report in reports)
    sent = sorted(when for report in reports for when in report["sent"])
    gaps = [later - earlier for earlier, later in pairwise(sent)]
    assert min(gaps) >= interval - slack, gaps
    # Over all of them, a late note shortens the span by one delay at most.
    assert sent[-1] - sent[0] >= (len(sent) - 1) * interval - slack, gaps


@responses.activate
def test_an_arxiv_retry_waits_for_its_rate_limit_slot_too(monkeypatch):
    slots = []
    monkeypatch.setattr(arxiv, "_limiter", type("L", (), {"wait": lambda self: slots.append(1)})())
    responses.get(replay.ARXIV_URL, status=503, headers={"Retry-After": "1"})
    responses.get(replay.ARXIV_URL, body=replay.arxiv_body("empty-id_0808.05394-2026.atom.xml"))
    feed = arxiv.search("au:x", policy=replay.no_wait_policy())
    assert feed.entries == []
    assert len(slots) == 2


@responses.activate
def test_a_redirect_to_the_merged_record_is_followed_within_the_allow_list():
    responses.get(
        "https://api.openalex.org/authors/A1000",
        status=301,
        headers={"Location": "https://api.openalex.org/authors/A5017898742"},
    )
    replay.add_author(responses)
    assert openalex.get_author("A1000")["id"].endswith("A5017898742")


@responses.activate
def test_a_redirect_off_the_allow_list_is_refused_before_it_is_followed():
    responses.get(replay.AUTHOR_URL, status=302, headers={"Location": "https://evil.example/steal"})
    with pytest.raises(PermanentError, match="Refused"):
        openalex.get_author(replay.AUTHOR_ID)
    assert [c.request.url for c in responses.calls] == [replay.AUTHOR_URL]


@responses.activate
def test_a_redirect_loop_ends_as_a_permanent_error():
    responses.get(replay.AUTHOR_URL, status=301, headers={"Location": replay.AUTHOR_URL})
    with pytest.raises(PermanentError, match="HTTP 301"):
        openalex.get_author(replay.AUTHOR_ID, policy=replay.no_wait_policy())


def test_it_refuses_an_orcid_whose_check_digit_is_wrong_and_says_so():
    # 0000-0002-1825-0097 is ORCID's own example; the last digit changed is someone else or no one.
    with responses.RequestsMock() as rsps, pytest.raises(PermanentError, match="check digit"):
        openalex.get_author("https://orcid.org/0000-0002-1825-0098")
    assert len(rsps.calls) == 0
