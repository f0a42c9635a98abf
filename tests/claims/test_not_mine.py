"""ORCID owners take a work off their record ("not mine"), on the recorded Mearman data: it
leaves their record only, holds through a re-import of the recorded OpenAlex files, is counted
against the day's corrections, tells co-authors who own their records, and can be undone."""

import pytest
import responses
from django.urls import reverse

from accounts.models import Notification, Profile
from claims import corrections
from graph.models import Collaboration
from profiles.citation_metrics import citation_metrics
from tests.factories import WorkFactory
from tests.graph.conftest import mearman  # noqa: F401 (the recorded record, a fixture)
from tests.works import imports_replay as replay
from works import runs
from works.models import Authorship, CurationLog, ImportRun, Researcher, Work

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(mearman, owner):  # noqa: F811
    mearman.owner = owner
    mearman.save(update_fields=["owner"])
    return mearman


@pytest.fixture
def shared(owned):
    """A work of the record with a co-author who has a record of their own, and that record."""
    authorship = (
        Authorship.objects.filter(work__authorships__researcher=owned, researcher__isnull=False)
        .exclude(researcher=owned)
        .select_related("work", "researcher")
        .order_by("work__openalex_id", "order")
        .first()
    )
    return authorship.work, authorship.researcher


@pytest.fixture
def api(client, owner):
    client.force_login(owner)
    return client


def not_mine_url(work) -> str:
    return reverse("api-my-record-not-mine", args=[work.pk])


def works_of(researcher) -> set[int]:
    return set(Work.objects.filter(authorships__researcher=researcher).values_list("pk", flat=True))


def shared_count(researcher, coauthor) -> int:
    row = Collaboration.objects.filter(researcher=researcher, coauthor=coauthor).first()
    return row.shared_works_count if row else 0


@responses.activate
def test_not_mine_leaves_the_record_only_and_holds_through_a_reimport(
    api, owned, shared, django_capture_on_commit_callbacks
):
    work, coauthor = shared
    before = works_of(owned)
    shared_before = shared_count(owned, coauthor)
    metrics_before = citation_metrics(owned.pk)
    owned.refresh_from_db()
    evidence_before = owned.trust_breakdown["evidence"]
    orders = list(Authorship.objects.filter(work=work, researcher=owned).values_list("order"))

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(not_mine_url(work))

    assert response.status_code == 200, response.content
    assert response.json()["removed"] is True
    assert works_of(owned) == before - {work.pk}
    assert work.pk in works_of(coauthor)
    # The author stays on the work, under the name the source gives, with no record.
    assert not Authorship.objects.filter(work=work, order__in=[o for (o,) in orders])[0].researcher
    # Collaborators, trust and metrics were recounted at once.
    assert shared_count(owned, coauthor) == shared_before - 1
    assert shared_count(coauthor, owned) == shared_before - 1
    metrics = citation_metrics(owned.pk)
    assert metrics.works == metrics_before.works - 1
    assert metrics.cited_by_count == metrics_before.cited_by_count - work.cited_by_count
    owned.refresh_from_db()
    assert owned.trust_breakdown["evidence"]["works"] == evidence_before["works"] - 1
    entry = CurationLog.objects.get(action=CurationLog.Action.NOT_MINE)
    assert (entry.actor, entry.researcher) == (owned.owner, owned)
    assert entry.target == {
        "researcher": owned.pk,
        "work": work.pk,
        "orders": [o for (o,) in orders],
    }

    # Re-import the recorded OpenAlex files: the source credits the work to Mearman again.
    replay.add_author(responses)
    replay.add_pages(responses, [replay.all_works()])
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.execute_run(
            ImportRun.objects.create(source=ImportRun.Source.OPENALEX, target=replay.AUTHOR_ID).pk
        )
    assert run.status == ImportRun.Status.SUCCEEDED, run.errors
    assert works_of(owned) == before - {work.pk}
    assert work.pk in works_of(coauthor)
    assert shared_count(owned, coauthor) == shared_before - 1


@responses.activate
def test_undo_puts_the_work_back_and_that_holds_through_a_reimport(
    api, owned, shared, django_capture_on_commit_callbacks
):
    work, coauthor = shared
    before = works_of(owned)
    shared_before = shared_count(owned, coauthor)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(not_mine_url(work)).status_code == 200
        response = api.delete(not_mine_url(work))
    assert response.status_code == 200, response.content
    assert response.json()["removed"] is False
    assert works_of(owned) == before
    assert shared_count(owned, coauthor) == shared_before
    undo = CurationLog.objects.get(action=CurationLog.Action.MINE_AGAIN)
    assert undo.researcher == owned and undo.actor == owned.owner

    replay.add_author(responses)
    replay.add_pages(responses, [replay.all_works()])
    run = runs.execute_run(
        ImportRun.objects.create(source=ImportRun.Source.OPENALEX, target=replay.AUTHOR_ID).pk
    )
    assert run.status == ImportRun.Status.SUCCEEDED, run.errors
    assert works_of(owned) == before


def test_a_work_not_on_the_record_is_a_404_and_a_second_mark_a_409(api, owned, shared):
    work, _ = shared
    elsewhere = WorkFactory()
    assert api.post(not_mine_url(elsewhere)).json()["code"] == "not_found"
    assert api.post(not_mine_url(elsewhere)).status_code == 404
    assert api.post(reverse("api-my-record-not-mine", args=[999999])).status_code == 404
    # Undoing what was never marked: 404 off the record, 409 on it.
    assert api.delete(not_mine_url(elsewhere)).status_code == 404
    on_record = api.delete(not_mine_url(work))
    assert on_record.status_code == 409 and "already" in on_record.json()["detail"]

    assert api.post(not_mine_url(work)).status_code == 200
    again = api.post(not_mine_url(work))
    assert again.status_code == 409
    assert again.json() == {
        "detail": "You already marked this work as not yours.",
        "code": "conflict",
    }
    assert CurationLog.objects.count() == 1


def test_only_an_owner_may_mark_a_work(client, stranger, owned, shared):
    work, _ = shared
    assert client.post(not_mine_url(work)).status_code == 401
    client.force_login(stranger)
    response = client.post(not_mine_url(work))
    assert response.status_code == 403
    assert work.pk in works_of(owned)
    # A record merged into another is no longer its owner's to correct.
    other = Researcher.objects.exclude(pk=owned.pk).first()
    Researcher.objects.filter(pk=owned.pk).update(merged_into=other)
    client.force_login(owned.owner)
    assert client.post(not_mine_url(work)).status_code == 403
    assert not CurationLog.objects.exists()


def test_corrections_are_limited_per_day_with_retry_after(api, owned, settings):
    settings.BZPEER_CORRECTIONS_PER_DAY = 2
    first, second, third = sorted(works_of(owned))[:3]
    assert api.post(reverse("api-my-record-not-mine", args=[first])).status_code == 200
    assert api.delete(reverse("api-my-record-not-mine", args=[first])).status_code == 200
    response = api.post(reverse("api-my-record-not-mine", args=[second]))
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_corrections"
    assert "at most 2 corrections" in response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= 24 * 3600
    assert second in works_of(owned)
    # The page says the same in words.
    page = api.post(reverse("claims:not_mine", args=[third]), follow=True)
    assert "at most 2 corrections" in page.content.decode()
    assert third in works_of(owned)


def test_co_authors_who_own_their_records_are_told(api, owned, shared, follower, stranger):
    work, coauthor = shared
    coauthor.owner = follower
    coauthor.save(update_fields=["owner"])
    Profile.objects.create(user=owned.owner, display_name="Joe the Owner")
    assert api.post(not_mine_url(work)).status_code == 200
    notice = Notification.objects.get(user=follower)
    assert notice.kind == Notification.Kind.COAUTHOR_CORRECTION
    assert "Joe the Owner" in notice.message and work.title in notice.message
    assert notice.url == reverse("works:detail", args=[work.pk])
    # Nobody else: not the owner, not users who own no record on the work.
    assert Notification.objects.count() == 1


def test_the_my_record_page_lists_works_with_not_mine_and_removed_ones_with_undo(
    api, owned, shared
):
    work, _ = shared
    page = api.get(reverse("claims:record_edit")).content.decode()
    assert f'action="{reverse("claims:not_mine", args=[work.pk])}"' in page
    response = api.post(reverse("claims:not_mine", args=[work.pk]), {"works_page": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith("#record-works")
    page = api.get(response["Location"]).content.decode()
    assert "Removed from your record" in page
    assert f'action="{reverse("claims:mine_again", args=[work.pk])}"' in page
    # htmx: the section alone comes back, the work under "Removed" no more.
    section = api.post(
        reverse("claims:mine_again", args=[work.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert section.startswith("{#") or 'id="record-works"' in section
    assert "<html" not in section and "Back on your record." in section
    assert "Removed from your record" not in section
    assert work.pk in works_of(owned)


def test_the_section_costs_the_same_queries_whatever_the_works(
    api, owned, django_assert_max_num_queries
):
    corrections.mark_not_mine(owned.owner, owned, sorted(works_of(owned))[0])
    with django_assert_max_num_queries(30):
        assert api.get(reverse("claims:record_edit")).status_code == 200


def test_marking_undoing_and_marking_again_tells_a_co_author_once(api, owned, shared, follower):
    work, coauthor = shared
    coauthor.owner = follower
    coauthor.save(update_fields=["owner"])
    assert api.post(not_mine_url(work)).status_code == 200
    assert api.delete(not_mine_url(work)).status_code == 200
    assert api.post(not_mine_url(work)).status_code == 200
    assert Notification.objects.filter(user=follower).count() == 1
