"""Cached public pages never lie: after each kind of change, the very next request shows it.

The page cache is on here (it is off for the rest of the suite, whose changes never commit). A
second identical request is answered from the cache without a database query; after a change
made by the real action, the next request shows the change.
"""

import copy

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bzpeer import page_cache
from claims import actions as claims_actions
from follows import actions as follows_actions
from graph.actions import refresh_researchers
from profiles.merge import merge_researchers
from tests.factories_claims import ClaimFactory
from tests.graph.conftest import (  # noqa: F401  (mearman: the fixture)
    PREPRINT,
    PUBLISHED,
    mearman,
    recorded_works,
)
from works.curation import set_work_hidden
from works.importers.openalex import import_works
from works.models import Researcher, Work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.BZPEER_PAGE_CACHE = True
    # A cache of this test's own: local memory shared by nothing else, emptied first (the
    # suite's Redis prefix is emptied by conftest, this one is not).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "page-cache-tests",
        }
    }
    cache.clear()
    page_cache.local_copies.clear()


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def cached_page(client, url) -> str:
    """The page, asked twice: the second answer must come from the cache (no query)."""
    first = page(client, url)
    with CaptureQueriesContext(connection) as queries:
        second = page(client, url)
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert second == first
    return first


@pytest.fixture
def change(django_capture_on_commit_callbacks):
    """Run a change as production does: its commit callbacks (the generation bump) run."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_a_follow_shows_on_the_next_request(client, mearman, follower, change):  # noqa: F811
    url = mearman.get_absolute_url()
    before = cached_page(client, url)
    change(follows_actions.follow, follower, mearman)
    after = page(client, url)
    assert ">1</" in after.split("follower")[0][-200:] or after != before
    assert after != before


def test_a_hidden_work_disappears_on_the_next_request(
    client,
    mearman,  # noqa: F811
    staff_reviewer,
    change,
):
    url = mearman.get_absolute_url()
    # Not one of the preprint/published pair: hiding one of those lists the other instead.
    work = (
        Work.objects.filter(authorships__researcher=mearman, version_of=None)
        .exclude(openalex_id__in=[PREPRINT, PUBLISHED])
        .first()
    )
    assert work.title in cached_page(client, url)
    change(set_work_hidden, work, True, staff_reviewer, "duplicate")
    assert work.title not in page(client, url)


def test_an_approved_claim_shows_on_the_next_request(
    client,
    mearman,  # noqa: F811
    owner,
    staff_reviewer,
    change,
):
    url = mearman.get_absolute_url()
    assert "Unclaimed" in cached_page(client, url)
    change(
        claims_actions.approve_claim,
        ClaimFactory(researcher=mearman, claimant=owner),
        staff_reviewer,
    )
    assert "Unclaimed" not in page(client, url)


def test_an_owner_edit_shows_on_the_next_request(client, mearman, owner, change):  # noqa: F811
    url = mearman.get_absolute_url()
    Researcher.objects.filter(pk=mearman.pk).update(owner=owner)
    assert "Builds tools for open heritage data." not in cached_page(client, url)

    def edit():
        record = Researcher.objects.get(pk=mearman.pk)
        record.summary = "Builds tools for open heritage data."
        record.save(update_fields=["summary", "updated_at"])

    change(edit)
    assert "Builds tools for open heritage data." in page(client, url)


def test_an_import_shows_on_the_next_request(client, mearman, change):  # noqa: F811
    url = mearman.get_absolute_url()
    cached_page(client, url)
    record = copy.deepcopy(recorded_works()[0])
    record["title"] = record["display_name"] = "A corrected title from the source"
    record["updated_date"] = "2099-01-01T00:00:00"
    change(import_works, [record])
    assert "A corrected title from the source" in page(client, url)


def test_a_trust_rescore_shows_on_the_next_request(client, mearman, change):  # noqa: F811
    url = mearman.get_absolute_url()
    Researcher.objects.filter(pk=mearman.pk).update(trust_score=None, trust_breakdown={})
    before = cached_page(client, url)
    change(refresh_researchers, [mearman.pk])
    mearman.refresh_from_db()
    assert mearman.trust_score is not None
    shown = f"Trust {mearman.trust_score} \N{EN DASH}"
    assert shown not in before
    assert shown in page(client, url)


def test_a_merge_redirects_on_the_next_request(
    client,
    mearman,  # noqa: F811
    staff_reviewer,
    change,
):
    other = Researcher.objects.exclude(pk=mearman.pk).filter(orcid__isnull=True).first()
    url = other.get_absolute_url()
    cached_page(client, url)
    change(merge_researchers, other, mearman, staff_reviewer, "same person")
    assert client.get(url).status_code == 301


def test_the_home_page_and_search_follow_the_data_too(client, mearman, change):  # noqa: F811
    home = reverse("profiles:home")
    assert "Joseph Mearman" in cached_page(client, home)
    change(Researcher.objects.filter(pk=mearman.pk).update, display_name="Joe Mearman")
    assert "Joe Mearman" in page(client, home)
    search = reverse("profiles:search") + "?q=Mearman"
    assert "Joe Mearman" in cached_page(client, search)


def test_signed_in_visitors_and_sessions_are_never_served_from_the_cache(
    client,
    mearman,  # noqa: F811
    follower,
):
    url = mearman.get_absolute_url()
    cached_page(client, url)
    client.force_login(follower)
    with CaptureQueriesContext(connection) as queries:
        page(client, url)
    assert len(queries) > 0


def test_a_write_in_a_transaction_moves_the_generation_again_at_commit(mearman):  # noqa: F811
    """A page rendered between a write and its commit saw the old rows: the commit must leave
    that page behind as well. (The test's own transaction never commits: its queue is read.)"""
    Researcher.objects.filter(pk=mearman.pk).update(summary="x")
    before = page_cache.generation()
    Researcher.objects.filter(pk=mearman.pk).update(summary="y")
    after_write = page_cache.generation()
    assert after_write != before  # at once, for readers outside the transaction
    queued = [entry[1] for entry in connection.run_on_commit]
    assert queued.count(page_cache._after_commit_bump) == 1  # once per transaction
    page_cache._after_commit_bump()
    assert page_cache.generation() != after_write


def test_writes_to_other_tables_leave_the_generation_alone(db, django_user_model):
    before = page_cache.generation()
    django_user_model.objects.create_user("someone", "someone@example.org", "pw-123456!")
    assert page_cache.generation() == before


def test_the_works_api_is_cached_and_follows_the_data(
    client,
    mearman,  # noqa: F811
    staff_reviewer,
    change,
):
    url = f"/api/researchers/{mearman.pk}/works/"
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert len(queries) == 0 and second.content == first.content
    assert second["Content-Type"] == "application/json"
    listed = {w["title"] for w in first.json()["results"]}
    work = Work.objects.filter(title__in=listed).exclude(openalex_id__in=[PREPRINT, PUBLISHED])[0]
    change(set_work_hidden, work, True, staff_reviewer, "duplicate")
    assert work.title not in {w["title"] for w in client.get(url).json()["results"]}


def test_cached_api_answers_still_count_against_the_throttle(client, mearman, settings):  # noqa: F811
    settings.BZPEER_API_ANON_RATE = "3/minute"
    url = f"/api/researchers/{mearman.pk}/"
    codes = [client.get(url).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and 429 in codes[3:]


def test_a_cached_page_is_answered_before_the_session_csrf_and_auth_layers(
    client,
    mearman,  # noqa: F811
):
    """The cache sits right after WhiteNoise: a hit runs neither the view's middleware nor the
    URL resolver, and still carries every header the whole stack gave the first answer."""
    from unittest import mock

    from django.middleware.csrf import CsrfViewMiddleware

    url = mearman.get_absolute_url()
    first = client.get(url)
    with mock.patch.object(CsrfViewMiddleware, "process_view") as csrf_view:
        second = client.get(url)
    csrf_view.assert_not_called()
    assert second.content == first.content
    for header in ("Content-Type", "X-Frame-Options", "Content-Security-Policy", "Vary"):
        assert second[header] == first[header], header


def test_token_signed_api_clients_are_never_served_from_the_cache(client, mearman):  # noqa: F811
    url = f"/api/researchers/{mearman.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers={"Authorization": "Token not-a-real-token"})
    assert response.status_code == 401 and len(queries) > 0


def test_a_process_serves_its_own_copy_only_while_the_generation_in_the_cache_holds(
    client,
    mearman,  # noqa: F811
):
    """The copy a process keeps spares reading the page from Redis, never the generation
    check: a write by another process (it moves only the shared generation) shows at once."""
    from unittest import mock

    url = mearman.get_absolute_url()
    first = cached_page(client, url)
    with mock.patch.object(cache, "get_many", side_effect=AssertionError("read the page")):
        assert page(client, url) == first  # the generation alone was read
    page_cache.bump_generation()  # as another process's write would
    with CaptureQueriesContext(connection) as queries:
        page(client, url)
    assert len(queries) > 0


def test_no_copy_outlives_the_cache_time_even_when_the_generation_holds(
    client,
    mearman,  # noqa: F811
    settings,
):
    """A write the generation missed (made while Redis was unreachable, or outside Django) must
    still show once BZPEER_PAGE_CACHE_SECONDS have passed: a process's copy expires with the
    entry it copies."""
    settings.BZPEER_PAGE_CACHE_SECONDS = 0
    url = mearman.get_absolute_url()
    page(client, url)
    with CaptureQueriesContext(connection) as queries:
        page(client, url)
    assert len(queries) > 0
