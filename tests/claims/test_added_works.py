"""A record's owner adds a missing work by DOI or arXiv id, through the real clients replaying
the recorded OpenAlex and arXiv answers, and the work stays on the record after re-imports."""

import json
import re

import pytest
import requests
import responses
from django.urls import reverse

from claims import added_works
from claims.corrections import CorrectionConflict, CorrectionError, CorrectionRateLimited
from tests.conftest import ARXIV, OPENALEX
from tests.factories import ResearcherFactory
from tests.works import imports_replay as replay
from works import runs
from works.clients import http
from works.curation import AddedWork
from works.importers.openalex import import_author, import_works
from works.models import Authorship, CurationLog, ImportRun, Researcher, Work

pytestmark = pytest.mark.django_db

MEARMAN = "A5017898742"
STATE_OF_OA = "W2741809807"  # Piwowar, Priem et al.: Mearman is not among its authors
STATE_OF_OA_DOI = "10.7717/peerj.4375"
LISTED_DOI = "10.2312/cgvc.20211309"  # on Mearman's record from the recorded works
WORK_BY_DOI = re.compile(r"https://api\.openalex\.org/works/doi")


def recorded_work(openalex_id: str) -> dict:
    return json.loads((OPENALEX / f"work-{openalex_id}.json").read_text())


def import_recorded() -> None:
    """Import (or re-import) the recorded OpenAlex files and end as every import does."""
    for path in sorted(OPENALEX.glob("author-*.json")):
        import_author(json.loads(path.read_text()))
    import_works([*replay.all_works(), recorded_work(STATE_OF_OA)])
    runs.after_import(list(Researcher.objects.values_list("pk", flat=True)))


@pytest.fixture(autouse=True)
def no_backoff_wait(monkeypatch):
    monkeypatch.setattr(http.DEFAULT_POLICY, "sleep", lambda seconds: None)


@pytest.fixture
def mearman(owner):
    for path in sorted(OPENALEX.glob("author-*.json")):
        import_author(json.loads(path.read_text()))
    import_works(replay.all_works())
    record = Researcher.objects.get(openalex_id=MEARMAN)
    Researcher.objects.filter(pk=record.pk).update(owner=owner)
    record.refresh_from_db()
    return record


@pytest.fixture
def upstream():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def serve_work(rsps, openalex_id=STATE_OF_OA):
    rsps.get(WORK_BY_DOI, json=recorded_work(openalex_id))


def add(owner, record, django_capture_on_commit_callbacks, **identifier):
    """The owner's request, with the run carried out as a worker would once it commits."""
    with replay.eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        added_works.add_missing_work(owner, record, **identifier)
    run = ImportRun.objects.filter(researcher=record).latest("pk")
    return added_works.describe(run)


def test_a_work_by_doi_no_author_of_which_is_the_owner_is_added_as_their_word(
    owner, mearman, upstream, django_capture_on_commit_callbacks, client
):
    serve_work(upstream)
    addition = add(owner, mearman, django_capture_on_commit_callbacks, doi=STATE_OF_OA_DOI)

    assert addition.state == "added", addition.message
    work = Work.objects.get(openalex_id=STATE_OF_OA)
    assert addition.work == work
    assert addition.run.checkpoint["outcome"] == AddedWork.ASSERTED
    mine = Authorship.objects.get(work=work, researcher=mearman)
    assert mine.added_by_owner
    assert mine.order == 9  # after the nine authors OpenAlex lists, who keep their places
    assert list(
        Authorship.objects.filter(work=work, added_by_owner=False).values_list("order", flat=True)
    ) == list(range(9))
    entry = CurationLog.objects.get(action=CurationLog.Action.OWNER_ADD)
    assert (entry.actor, entry.researcher, entry.target["work"]) == (owner, mearman, work.pk)
    # The profile shows where it came from.
    page = client.get(mearman.get_absolute_url()).content.decode()
    assert "added by the researcher" in page


def test_an_author_whose_name_matches_becomes_the_owners_record(
    owner, mearman, upstream, django_capture_on_commit_callbacks
):
    # The owner's record here is a curated one the sources do not know, named as she signs.
    Researcher.objects.filter(pk=mearman.pk).update(owner=None)
    record = ResearcherFactory(display_name="H. Piwowar", openalex_id=None, owner=owner)
    piwowar = Researcher.objects.get(openalex_id="A5048491430")
    serve_work(upstream)

    addition = add(owner, record, django_capture_on_commit_callbacks, doi=STATE_OF_OA_DOI)

    assert addition.run.checkpoint["outcome"] == AddedWork.MATCHED, addition.message
    work = Work.objects.get(openalex_id=STATE_OF_OA)
    slot = Authorship.objects.get(work=work, order=0)
    assert (slot.researcher_id, slot.added_by_owner) == (record.pk, False)
    assert not Authorship.objects.filter(work=work, researcher=piwowar).exists()
    assert Authorship.objects.filter(work=work).count() == 9  # no author added

    # Re-importing the recorded files gives the slot back to OpenAlex's author, and the
    # replay of the log puts it back on the owner's record.
    import_recorded()
    assert Authorship.objects.get(work=work, order=0).researcher_id == record.pk
    assert Authorship.objects.filter(work=work).count() == 9
    assert not Authorship.objects.filter(work=work, researcher=piwowar).exists()


def test_reimporting_the_recorded_files_keeps_the_added_work_on_the_record(
    owner, mearman, upstream, django_capture_on_commit_callbacks
):
    serve_work(upstream)
    add(owner, mearman, django_capture_on_commit_callbacks, doi=STATE_OF_OA_DOI)
    work = Work.objects.get(openalex_id=STATE_OF_OA)
    mine = Authorship.objects.get(work=work, researcher=mearman)

    import_recorded()
    import_recorded()

    # The same row: imports keep the owner's authorship rather than delete and replay it.
    assert Authorship.objects.get(work=work, researcher=mearman).pk == mine.pk
    assert Authorship.objects.filter(work=work).count() == 10
    assert Work.objects.filter(authorships__researcher=mearman).count() == 10


def test_a_work_already_listed_is_said_so_and_nothing_changes(owner, mearman, upstream):
    with pytest.raises(CorrectionConflict, match="already listed"):
        added_works.add_missing_work(owner, mearman, doi=f"https://doi.org/{LISTED_DOI}")
    assert not ImportRun.objects.exists()
    assert not CurationLog.objects.exists()
    assert not upstream.calls


@pytest.mark.parametrize(
    ("identifier", "words"),
    [
        ({"doi": "peerj.4375"}, "is not a DOI"),
        ({"arxiv_id": "abc"}, "is not an arXiv id"),
        ({}, "DOI or its arXiv id"),
        ({"doi": STATE_OF_OA_DOI, "arxiv_id": "2108.04680"}, "one of the two"),
    ],
)
def test_a_malformed_identifier_is_refused_with_a_clear_message(
    owner, mearman, upstream, identifier, words
):
    with pytest.raises(CorrectionError, match=words):
        added_works.add_missing_work(owner, mearman, **identifier)
    assert not ImportRun.objects.exists()
    assert not upstream.calls


def test_a_doi_openalex_does_not_know_changes_nothing_and_the_run_says_so(
    owner, mearman, upstream, django_capture_on_commit_callbacks
):
    upstream.get(WORK_BY_DOI, status=404, json={"error": "Not found"})
    works_before = Work.objects.count()

    addition = add(owner, mearman, django_capture_on_commit_callbacks, doi="10.1234/missing")

    assert addition.state == "not_found"
    assert addition.message == "OpenAlex has no work with DOI 10.1234/missing: nothing was changed."
    assert addition.run.status == ImportRun.Status.FAILED
    assert "404" in addition.run.errors[-1]["detail"]
    assert Work.objects.count() == works_before
    assert not CurationLog.objects.exists()


def test_an_unreachable_source_changes_nothing_and_the_run_keeps_the_error(
    owner, mearman, upstream, django_capture_on_commit_callbacks
):
    upstream.get(WORK_BY_DOI, body=requests.ConnectionError("connection refused"))

    addition = add(owner, mearman, django_capture_on_commit_callbacks, doi=STATE_OF_OA_DOI)

    assert addition.state == "failed"
    assert "could not be looked up" in addition.message
    assert addition.run.errors[-1]["kind"] == "TransientError"
    assert not Work.objects.filter(openalex_id=STATE_OF_OA).exists()
    assert not CurationLog.objects.exists()


def test_an_arxiv_id_is_imported_from_arxiv_and_put_on_the_record(
    owner, mearman, upstream, django_capture_on_commit_callbacks
):
    upstream.get(replay.ARXIV_URL, body=(ARXIV / "id-astro-ph_0601001-2026.atom.xml").read_bytes())
    addition = add(
        owner, mearman, django_capture_on_commit_callbacks, arxiv_id="arXiv:astro-ph/0601001v1"
    )

    assert addition.state == "added", addition.message
    work = Work.objects.get(arxiv_id="astro-ph/0601001")
    assert [a.raw_author_name for a in work.authorships.all()][:4] == [
        "Andrew Gould",
        "Susan Dorsher",
        "B. Scott Gaudi",
        "Andrzej Udalski",
    ]
    assert Authorship.objects.get(work=work, researcher=mearman).added_by_owner
    assert "id_list=astro-ph%2F0601001" in upstream.calls[0].request.url


def test_an_arxiv_id_arxiv_does_not_know_changes_nothing(
    owner, mearman, upstream, django_capture_on_commit_callbacks
):
    upstream.get(replay.ARXIV_URL, body=(ARXIV / "empty-id_0808.05394-2026.atom.xml").read_bytes())
    addition = add(owner, mearman, django_capture_on_commit_callbacks, arxiv_id="0808.05394")
    assert addition.state == "not_found"
    assert addition.message == "arXiv has no work with arXiv:0808.05394: nothing was changed."
    assert not Work.objects.filter(arxiv_id="0808.05394").exists()


# The API and the page -------------------------------------------------------------------------
#
# Without a broker the lookup runs when the request's transaction commits, before the answer:
# these tests commit for real (transaction=True) to see that answer.


@pytest.mark.django_db(transaction=True)
def test_the_api_adds_a_work_and_answers_201(owner, mearman, upstream, client):
    serve_work(upstream)
    client.force_login(owner)
    with replay.eager_tasks():
        response = client.post(
            reverse("api-my-record-add-work"), {"doi": STATE_OF_OA_DOI}, "application/json"
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "added"
    assert body["work"] == Work.objects.get(openalex_id=STATE_OF_OA).pk


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"doi": "nonsense"}, 400, "invalid"),
        ({"doi": LISTED_DOI}, 409, "conflict"),
    ],
)
def test_the_api_refuses_in_the_error_shape(owner, mearman, client, data, status, code):
    client.force_login(owner)
    response = client.post(reverse("api-my-record-add-work"), data, "application/json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_404_when_the_source_has_no_such_work(owner, mearman, upstream, client):
    upstream.get(WORK_BY_DOI, status=404, json={"error": "Not found"})
    client.force_login(owner)
    with replay.eager_tasks():
        response = client.post(reverse("api-my-record-add-work"), {"doi": "10.1234/missing"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "OpenAlex has no work" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_the_page_form_adds_a_work_and_comes_back_with_a_message(owner, mearman, upstream, client):
    serve_work(upstream)
    client.force_login(owner)
    with replay.eager_tasks():
        response = client.post(reverse("claims:add_work"), {"doi": STATE_OF_OA_DOI}, follow=True)
    page = response.content.decode()
    assert "Added The state of OA" in page
    assert "Your latest requests" in page
    assert Authorship.objects.filter(work__openalex_id=STATE_OF_OA, researcher=mearman).exists()


def test_the_page_form_answers_htmx_with_the_section(owner, mearman, client):
    client.force_login(owner)
    response = client.post(reverse("claims:add_work"), {"doi": LISTED_DOI}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="record-add-work"' in page
    assert "is already listed on your record" in page


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_502_when_the_source_cannot_be_reached(owner, mearman, upstream, client):
    upstream.get(WORK_BY_DOI, body=requests.ConnectionError("connection refused"))
    client.force_login(owner)
    with replay.eager_tasks():
        response = client.post(reverse("api-my-record-add-work"), {"doi": STATE_OF_OA_DOI})
    assert response.status_code == 502
    assert "could not be looked up" in response.json()["detail"]
    assert not Work.objects.filter(openalex_id=STATE_OF_OA).exists()


def test_every_request_to_add_a_work_counts_against_the_day_whatever_comes_of_it(
    owner, mearman, upstream, django_capture_on_commit_callbacks, settings
):
    """A DOI the source does not know writes nothing to the record, but it did make a call
    upstream: the day's budget counts the request, not the outcome."""
    settings.BZPEER_CORRECTIONS_PER_DAY = 2
    upstream.get(WORK_BY_DOI, status=404, json={"error": "Not found"})
    for n in range(2):
        addition = add(owner, mearman, django_capture_on_commit_callbacks, doi=f"10.1234/no{n}")
        assert addition.state == "not_found"
    calls = len(upstream.calls)
    with pytest.raises(CorrectionRateLimited, match="at most 2 corrections"):
        add(owner, mearman, django_capture_on_commit_callbacks, doi="10.1234/no3")
    assert len(upstream.calls) == calls
    assert ImportRun.objects.count() == 2
