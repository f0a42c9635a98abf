"""The custom admin views and actions ask for the model permission, not just is_staff; and a run
is offered for re-running only when a worker can run its source."""

import json

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Claim
from tests.conftest import staff_with
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from tests.factories_claims import ClaimFactory
from works import runs
from works.models import Authorship, CurationLog, ImportRun, Researcher, Work

pytestmark = pytest.mark.django_db

VIEW_ONLY = [
    "works.view_researcher",
    "works.view_work",
    "works.view_importrun",
    "claims.view_claim",
]
CURATOR = [
    *VIEW_ONLY,
    "works.change_researcher",
    "works.change_work",
    "works.add_importrun",
    "works.change_importrun",
    "claims.change_claim",
]


@pytest.fixture
def bare_staff_client(client, django_user_model):
    client.force_login(staff_with(django_user_model, "bare", []))
    return client


@pytest.fixture
def viewer_client(client, django_user_model):
    client.force_login(staff_with(django_user_model, "viewer", VIEW_ONLY))
    return client


@pytest.fixture
def curator_client(client, django_user_model):
    client.force_login(staff_with(django_user_model, "curator", CURATOR))
    return client


@pytest.fixture
def superuser_client(client, staff_reviewer):
    client.force_login(staff_reviewer)
    return client


@pytest.fixture
def no_worker(monkeypatch):
    """A broker with no worker: queued runs are recorded and never run."""
    from bzpeer.celery import app
    from works import tasks

    monkeypatch.setattr(app.conf, "task_always_eager", False)
    queued = []
    monkeypatch.setattr(tasks.import_openalex_author, "delay", queued.append)
    monkeypatch.setattr(tasks.import_arxiv_for_researcher, "delay", queued.append)
    return queued


def _csl_upload():
    items = [{"type": "article-journal", "title": "From my CV", "DOI": "10.1234/cv.1",
              "author": [{"family": "Mearman", "given": "Joseph"}],
              "issued": {"date-parts": [[2019]]}}]  # fmt: skip
    return SimpleUploadedFile("cv.json", json.dumps(items).encode(), "application/json")


def _action_names(response) -> set[str]:
    """The actions a change list offers (the admin leaves out the form when there are none)."""
    form = response.context["action_form"]
    if form is None:
        return set()
    return {name for name, _ in form.fields["action"].choices if name}


# The custom views --------------------------------------------------------------------------


@pytest.mark.parametrize("client_name", ["bare_staff_client", "viewer_client"])
@pytest.mark.parametrize("url_name", ["works_researcher_split", "works_researcher_csl"])
def test_staff_without_the_change_permission_get_403_on_split_and_csl(
    request, client_name, url_name
):
    client = request.getfixturevalue(client_name)
    researcher = ResearcherFactory(display_name="Joseph Mearman")
    AuthorshipFactory(researcher=researcher)
    assert client.get(reverse(f"admin:{url_name}", args=[researcher.pk])).status_code == 403


def test_a_csl_post_by_staff_without_permission_creates_nothing(viewer_client):
    researcher = ResearcherFactory(display_name="Joseph Mearman")
    url = reverse("admin:works_researcher_csl", args=[researcher.pk])
    response = viewer_client.post(url, {"file": _csl_upload(), "reason": "sent by them"})
    assert response.status_code == 403
    assert not Work.objects.exists()
    assert not ImportRun.objects.exists()
    assert not CurationLog.objects.exists()


def test_a_split_post_by_staff_without_permission_changes_nothing(viewer_client):
    researcher = ResearcherFactory()
    move = AuthorshipFactory(researcher=researcher)
    url = reverse("admin:works_researcher_split", args=[researcher.pk])
    response = viewer_client.post(
        url, {"works": [move.work_id], "display_name": "Other", "reason": "homonym"}
    )
    assert response.status_code == 403
    assert Researcher.objects.count() == 1
    assert Authorship.objects.get().researcher == researcher


@pytest.mark.parametrize("client_name", ["bare_staff_client", "viewer_client"])
def test_staff_without_the_add_permission_cannot_start_an_import(request, client_name, no_worker):
    client = request.getfixturevalue(client_name)
    url = reverse("admin:works_importrun_start")
    assert client.get(url).status_code == 403
    response = client.post(url, {"source": "openalex", "identifier": "A5017898742"})
    assert response.status_code == 403
    assert not ImportRun.objects.exists()
    assert no_worker == []


@pytest.mark.parametrize("client_name", ["bare_staff_client", "viewer_client"])
def test_staff_without_the_change_permission_cannot_cancel_or_rerun(
    request, client_name, no_worker
):
    client = request.getfixturevalue(client_name)
    run = ImportRun.objects.create(source="openalex", target="A1000")
    assert client.post(reverse("admin:works_importrun_cancel", args=[run.pk])).status_code == 403
    assert client.post(reverse("admin:works_importrun_rerun", args=[run.pk])).status_code == 403
    run.refresh_from_db()
    assert run.status == "queued"
    assert ImportRun.objects.count() == 1
    assert no_worker == []


def test_a_view_only_run_page_offers_neither_cancel_nor_rerun(viewer_client):
    run = ImportRun.objects.create(source="openalex", target="A1000")
    page = viewer_client.get(reverse("admin:works_importrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert b"Cancel run" not in page.content
    assert b"Re-run" not in page.content
    listing = viewer_client.get(reverse("admin:works_importrun_changelist"))
    assert b"Start an import" not in listing.content


def test_a_view_only_researcher_page_offers_no_curation_links(viewer_client):
    researcher = ResearcherFactory(openalex_id="A5017898742")
    page = viewer_client.get(reverse("admin:works_researcher_change", args=[researcher.pk]))
    assert page.status_code == 200
    assert b"Split works off" not in page.content
    assert b"Import CSL-JSON" not in page.content
    assert b"Re-import from OpenAlex" not in page.content


def test_a_curator_with_the_permissions_can_use_every_view(curator_client, no_worker):
    researcher = ResearcherFactory(display_name="Joseph Mearman")
    keep, move = AuthorshipFactory(researcher=researcher), AuthorshipFactory(researcher=researcher)
    split = reverse("admin:works_researcher_split", args=[researcher.pk])
    assert curator_client.get(split).status_code == 200
    response = curator_client.post(
        split, {"works": [move.work_id], "display_name": "Other", "reason": "homonym"}
    )
    assert response.status_code == 302
    assert Authorship.objects.get(pk=keep.pk).researcher == researcher

    csl = reverse("admin:works_researcher_csl", args=[researcher.pk])
    response = curator_client.post(csl, {"file": _csl_upload(), "reason": "sent by them"})
    assert response.status_code == 302
    assert Work.objects.filter(doi="10.1234/cv.1").exists()

    start = reverse("admin:works_importrun_start")
    assert curator_client.get(start).status_code == 200
    response = curator_client.post(start, {"source": "openalex", "identifier": "A5017898742"})
    run = ImportRun.objects.get(source="openalex")
    assert response.status_code == 302
    page = curator_client.get(reverse("admin:works_importrun_change", args=[run.pk]))
    assert b"Cancel run" in page.content and b"Re-run" in page.content
    curator_client.post(reverse("admin:works_importrun_cancel", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "cancelled"
    curator_client.post(reverse("admin:works_importrun_rerun", args=[run.pk]))
    assert ImportRun.objects.filter(source="openalex").count() == 2


# The admin actions -------------------------------------------------------------------------


def test_view_only_staff_are_not_offered_the_curation_actions(viewer_client, stranger):
    ResearcherFactory(), WorkFactory(), ClaimFactory(claimant=stranger)
    researchers = viewer_client.get(reverse("admin:works_researcher_changelist"))
    works = viewer_client.get(reverse("admin:works_work_changelist"))
    claims = viewer_client.get(reverse("admin:claims_claim_changelist"))
    for response in (researchers, works, claims):
        assert response.status_code == 200
        assert not _action_names(response) & {
            "merge_records", "hide_works", "unhide_works", "approve_selected", "reject_selected"
        }  # fmt: skip


def test_view_only_staff_posting_the_actions_change_nothing(viewer_client, stranger):
    a, b = ResearcherFactory(), ResearcherFactory()
    work = WorkFactory()
    claim = ClaimFactory(claimant=stranger)
    viewer_client.post(
        reverse("admin:works_researcher_changelist"),
        {"action": "merge_records", "_selected_action": [a.pk, b.pk], "apply": "1",
         "target": b.pk, "reason": "duplicate"},
    )  # fmt: skip
    viewer_client.post(
        reverse("admin:works_work_changelist"),
        {"action": "hide_works", "_selected_action": [work.pk], "apply": "1", "reason": "x"},
    )
    for action in ("approve_selected", "reject_selected"):
        viewer_client.post(
            reverse("admin:claims_claim_changelist"),
            {"action": action, "_selected_action": [claim.pk]},
        )
    a.refresh_from_db()
    work.refresh_from_db()
    claim.refresh_from_db()
    assert a.merged_into is None
    assert not work.is_hidden
    assert claim.status == Claim.Status.PENDING
    assert not CurationLog.objects.exists()


@pytest.mark.parametrize("client_name", ["curator_client", "superuser_client"])
def test_staff_with_the_change_permission_are_offered_and_can_run_the_actions(
    request, client_name, stranger
):
    client = request.getfixturevalue(client_name)
    a, b = ResearcherFactory(), ResearcherFactory()
    work = WorkFactory()
    ClaimFactory(claimant=stranger)
    researchers = client.get(reverse("admin:works_researcher_changelist"))
    assert "merge_records" in _action_names(researchers)
    assert {"hide_works", "unhide_works"} <= _action_names(
        client.get(reverse("admin:works_work_changelist"))
    )
    assert {"approve_selected", "reject_selected"} <= _action_names(
        client.get(reverse("admin:claims_claim_changelist"))
    )
    client.post(
        reverse("admin:works_researcher_changelist"),
        {"action": "merge_records", "_selected_action": [a.pk, b.pk], "apply": "1",
         "target": b.pk, "reason": "duplicate"},
    )  # fmt: skip
    client.post(
        reverse("admin:works_work_changelist"),
        {"action": "hide_works", "_selected_action": [work.pk], "apply": "1", "reason": "x"},
    )
    a.refresh_from_db()
    work.refresh_from_db()
    assert a.merged_into == b
    assert work.is_hidden


# Re-running --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "offered"),
    [("openalex", True), ("arxiv", True), ("csl", False), ("snapshot", False)],
)
def test_rerun_is_offered_only_for_sources_a_worker_runs(superuser_client, source, offered):
    run = ImportRun.objects.create(
        source=source, target="x", researcher=ResearcherFactory(), status="succeeded"
    )
    page = superuser_client.get(reverse("admin:works_importrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert (b"Re-run" in page.content) is offered
    assert runs.can_rerun(run) is offered


@pytest.mark.parametrize("source", ["csl", "snapshot"])
def test_rerunning_a_file_import_says_why_and_queues_nothing(superuser_client, source, no_worker):
    run = ImportRun.objects.create(source=source, target="cv.json", status="succeeded")
    url = reverse("admin:works_importrun_rerun", args=[run.pk])
    response = superuser_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:works_importrun_change", args=[run.pk])
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "error"
    assert "cannot be re-run" in message.message
    assert ImportRun.objects.count() == 1
    assert no_worker == []


def test_rerun_refuses_a_file_import_with_a_clear_error():
    run = ImportRun.objects.create(source="csl", target="cv.json", status="succeeded")
    with pytest.raises(runs.CannotRerun, match="cannot be re-run"):
        runs.rerun(run)
    assert ImportRun.objects.count() == 1


def test_rerunning_an_arxiv_run_queues_a_new_run_for_the_same_researcher(
    superuser_client, no_worker, django_capture_on_commit_callbacks
):
    researcher = ResearcherFactory()
    run = ImportRun.objects.create(
        source="arxiv", target='au:"X"', researcher=researcher, status="failed"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(reverse("admin:works_importrun_rerun", args=[run.pk]))
    new = ImportRun.objects.exclude(pk=run.pk).get()
    assert (new.source, new.target, new.researcher, new.status) == (
        "arxiv", 'au:"X"', researcher, "queued",
    )  # fmt: skip
    assert response["Location"] == reverse("admin:works_importrun_change", args=[new.pk])
    assert no_worker == [new.pk]
