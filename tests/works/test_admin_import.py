"""The staff admin: start, watch, cancel and re-run imports; hide, merge, split, CSL import."""

import json
import threading

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape as django_escape

from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from tests.works import imports_replay as replay
from works.clients import http
from works.models import Authorship, CurationLog, ImportRun, Researcher, Work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_process(monkeypatch):
    monkeypatch.setattr(http.DEFAULT_POLICY, "sleep", lambda s: None)
    with replay.eager_tasks():
        yield


@pytest.fixture
def staff_client(client, staff_reviewer):
    client.force_login(staff_reviewer)
    return client


def _import_threads():
    return [t for t in threading.enumerate() if t.name.startswith("import-run-")]


@pytest.mark.django_db(transaction=True)
@responses.activate
def test_starting_an_import_answers_at_once_and_the_run_goes_on_after(
    staff_client, staff_reviewer, monkeypatch
):
    """Without a broker the run goes to a thread: the page answers with the run still queued
    (it used to run the whole import inside the request, then call it "queued")."""
    from works import tasks

    replay.add_author(responses)
    replay.add_pages(responses, [replay.all_works()])
    # Hold the thread until the request is answered, so the test sees the order of events
    # (and SQLite sees one writer at a time).
    gate = threading.Event()
    real_apply = tasks.import_openalex_author.apply

    def gated_apply(*args, **kwargs):
        assert gate.wait(10)
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(tasks.import_openalex_author, "apply", gated_apply)
    url = reverse("admin:works_importrun_start")
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url, {"source": "openalex", "identifier": "https://openalex.org/A5017898742"}, follow=True
    )
    run = ImportRun.objects.get()
    assert response.redirect_chain == [
        (reverse("admin:works_importrun_change", args=[run.pk]), 302)
    ]
    assert (run.requested_by, run.status, run.created) == (staff_reviewer, "queued", 0)
    assert len(responses.calls) == 0
    body = response.content.decode()
    assert f"Import run {run.pk} queued" in body
    assert 'class="info"' in body and 'class="success"' not in body
    assert "Waiting for a worker" in body and 'hx-get="/imports/runs/' in body

    (thread,) = _import_threads()
    gate.set()
    thread.join(30)
    run.refresh_from_db()
    assert (run.status, run.created) == ("succeeded", 9)
    page = staff_client.get(reverse("admin:works_importrun_change", args=[run.pk]))
    assert b'value="100"' in page.content and b"vendor/htmx.min.js" in page.content


def test_with_a_broker_starting_an_import_sends_it_to_the_worker(
    staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    from bzpeer.celery import app
    from works import tasks

    sent = []
    monkeypatch.setattr(tasks.import_openalex_author, "delay", sent.append)
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:works_importrun_start"),
            {"source": "openalex", "identifier": "A5017898742"},
        )
    assert sent == [ImportRun.objects.get().pk]
    assert _import_threads() == []


def test_with_the_broker_down_starting_an_import_keeps_the_run_queued_for_the_sweeper(
    staff_client, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from kombu.exceptions import OperationalError

    from bzpeer.celery import app
    from works import tasks

    def broker_down(run_id):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.import_openalex_author, "delay", broker_down)
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:works_importrun_start"),
            {"source": "openalex", "identifier": "A5017898742"},
        )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.QUEUED
    assert f"import run {run.pk} stays queued for the sweeper" in caplog.text


@pytest.mark.parametrize(
    ("error", "sentence"),
    [
        (
            {"kind": "TransientError", "detail": "ConnectionError talking to https://api.openalex"
             ".org/authors/A1: HTTPSConnectionPool(host='api.openalex.org', port=443): Max "
             "retries exceeded (gave up after 3 attempts)", "page": 2},
            "OpenAlex could not be reached (no network, or the service is down), even after "
            "retrying. Pages already imported are kept: re-run it later.",
        ),
        (
            {"kind": "TransientError", "detail": "HTTP 503 from api.openalex.org (gave up after "
             "3 attempts)"},
            "OpenAlex had a server error, even after retrying.",
        ),
        (
            {"kind": "PermanentError", "detail": "HTTP 404 from api.openalex.org: Not found"},
            "OpenAlex has no record with this id. Check the id and start a new import.",
        ),
        (
            {"kind": "KeyError", "detail": "'results'"},
            "The import stopped on an unexpected error",
        ),
        ({"kind": "Cancelled", "detail": "cancelled by reviewer"}, "Cancelled by reviewer."),
    ],
)  # fmt: skip
def test_run_errors_read_as_sentences_with_the_detail_collapsed(staff_client, error, sentence):
    run = ImportRun.objects.create(
        source="openalex",
        target="A1",
        status="failed",
        errors=[{"at": "2026-12-02T10:00:00+00:00", **error}],
    )
    page = staff_client.get(reverse("admin:works_importrun_change", args=[run.pk]))
    body = page.content.decode()
    assert sentence in body
    # The recorded text is still there for a developer, inside a closed <details>.
    details = body[body.index('<details class="run-error__details">') :]
    details = details[: details.index("</details>")]
    assert django_escape(error["detail"])[:40] in details
    assert error["kind"] in details
    # And the errors field of the record reads the same way, not as JSON.
    assert '[{"at"' not in body and "[{&quot;at&quot;" not in body
    assert body.count(sentence) == 2


def test_a_malformed_id_gives_a_form_error_and_no_run(staff_client):
    response = staff_client.post(
        reverse("admin:works_importrun_start"), {"source": "openalex", "identifier": "W1"}
    )
    assert response.status_code == 200
    assert b"Not an OpenAlex author id" in response.content
    assert not ImportRun.objects.exists()


def test_an_arxiv_import_needs_an_unmerged_researcher(staff_client):
    merged = ResearcherFactory(merged_into=ResearcherFactory())
    response = staff_client.post(
        reverse("admin:works_importrun_start"), {"source": "arxiv", "researcher": merged.pk}
    )
    assert b"not merged" in response.content
    assert not ImportRun.objects.exists()


def test_starting_an_arxiv_import_queues_a_run_with_the_name_query(staff_client, monkeypatch):
    from works import tasks

    sent = []
    monkeypatch.setattr(tasks.import_arxiv_for_researcher, "delay", sent.append)
    adrian = ResearcherFactory(display_name="Adrian Del Maestro")
    staff_client.post(
        reverse("admin:works_importrun_start"), {"source": "arxiv", "researcher": adrian.pk}
    )
    run = ImportRun.objects.get()
    assert (run.source, run.target, run.researcher) == ("arxiv", 'au:"Adrian Del Maestro"', adrian)


def test_the_progress_partial_is_staff_only_and_polls_until_finished(
    staff_client, stranger, django_assert_max_num_queries
):
    from django.test import Client

    run = ImportRun.objects.create(
        source="openalex", target="A1000", status="running", progress_done=3, progress_total=12
    )
    url = reverse("works:run_progress", args=[run.pk])
    with django_assert_max_num_queries(5):
        response = staff_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="25"' in body and "hx-get" in body and "every 1s" in body
    ImportRun.objects.filter(pk=run.pk).update(status="succeeded")
    assert "hx-get" not in staff_client.get(url).content.decode()
    assert staff_client.get(reverse("works:run_progress", args=[run.pk + 99])).status_code == 404
    other = Client()
    assert other.get(url).status_code == 403
    other.force_login(stranger)
    assert other.get(url).status_code == 403
    assert staff_client.get(reverse("works:run_progress", args=[run.pk + 99])).status_code == 404


def test_the_run_list_has_a_constant_number_of_queries(staff_client, django_assert_max_num_queries):
    for n in range(15):
        ImportRun.objects.create(
            source="openalex", target=f"A{1000 + n}", researcher=ResearcherFactory()
        )
    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("admin:works_importrun_changelist"))
    assert response.status_code == 200
    assert b"Start an import" in response.content


def test_cancel_and_rerun_are_post_only(staff_client, monkeypatch):
    from works import tasks

    monkeypatch.setattr(tasks.import_openalex_author, "delay", lambda pk: None)
    run = ImportRun.objects.create(source="openalex", target="A1000")
    cancel = reverse("admin:works_importrun_cancel", args=[run.pk])
    assert staff_client.get(cancel).status_code == 405
    staff_client.post(cancel)
    run.refresh_from_db()
    assert run.status == "cancelled"
    response = staff_client.post(reverse("admin:works_importrun_rerun", args=[run.pk]))
    new = ImportRun.objects.exclude(pk=run.pk).get()
    assert (new.target, new.status) == ("A1000", "queued")
    assert response["Location"].endswith(f"/{new.pk}/change/")


def test_non_staff_cannot_reach_the_import_admin(client, stranger):
    client.force_login(stranger)
    response = client.get(reverse("admin:works_importrun_start"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    run = ImportRun.objects.create(source="openalex", target="A1000")
    client.post(reverse("admin:works_importrun_cancel", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "queued"


def test_hiding_works_asks_for_a_reason_then_logs_it(staff_client, staff_reviewer):
    work = WorkFactory()
    url = reverse("admin:works_work_changelist")
    data = {"action": "hide_works", "_selected_action": [work.pk]}
    confirm = staff_client.post(url, data)
    assert b"Confirm" in confirm.content
    work.refresh_from_db()
    assert not work.is_hidden
    staff_client.post(url, {**data, "apply": "1", "reason": "Not her paper"})
    work.refresh_from_db()
    assert work.is_hidden
    log = CurationLog.objects.get()
    assert (log.actor, log.action, log.reason) == (staff_reviewer, "hide", "Not her paper")


def test_merging_records_from_the_admin(staff_client):
    a, b = ResearcherFactory(), ResearcherFactory()
    AuthorshipFactory(researcher=a)
    url = reverse("admin:works_researcher_changelist")
    data = {"action": "merge_records", "_selected_action": [a.pk, b.pk]}
    assert b"Merge researcher records" in staff_client.post(url, data).content
    staff_client.post(url, {**data, "apply": "1", "target": b.pk, "reason": "duplicate"})
    a.refresh_from_db()
    assert a.merged_into == b
    assert Authorship.objects.get().researcher == b


def test_splitting_works_off_from_the_admin(staff_client):
    researcher = ResearcherFactory()
    keep, move = AuthorshipFactory(researcher=researcher), AuthorshipFactory(researcher=researcher)
    url = reverse("admin:works_researcher_split", args=[researcher.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url, {"works": [move.work_id], "display_name": "W. Zhang (physics)", "reason": "homonym"}
    )
    new = Researcher.objects.get(display_name="W. Zhang (physics)")
    assert response["Location"] == reverse("admin:works_researcher_change", args=[new.pk])
    assert Authorship.objects.get(pk=move.pk).researcher == new
    assert Authorship.objects.get(pk=keep.pk).researcher == researcher


def test_a_csl_file_is_imported_for_a_researcher(staff_client):
    researcher = ResearcherFactory(display_name="Joseph Mearman")
    items = [{"type": "article-journal", "title": "From my CV", "DOI": "10.1234/cv.1",
              "author": [{"family": "Mearman", "given": "Joseph"}],
              "issued": {"date-parts": [[2019]]}}]  # fmt: skip
    url = reverse("admin:works_researcher_csl", args=[researcher.pk])
    upload = SimpleUploadedFile("cv.json", json.dumps(items).encode(), "application/json")
    response = staff_client.post(url, {"file": upload, "reason": "sent by the researcher"})
    assert response.status_code == 302
    assert Work.objects.get(doi="10.1234/cv.1").authorships.get().researcher == researcher
    run = ImportRun.objects.get()
    assert (run.source, run.target, run.status, run.created) == ("csl", "cv.json", "succeeded", 1)
    bad = SimpleUploadedFile("cv.json", b"{not json", "application/json")
    response = staff_client.post(url, {"file": bad, "reason": "x"})
    assert b"Not a CSL-JSON file" in response.content
    assert CurationLog.objects.count() == 1


def test_the_curation_log_is_read_only_in_the_admin(staff_client, staff_reviewer):
    from works.curation import set_work_hidden

    set_work_hidden(WorkFactory(), True, staff_reviewer, "x")
    log = CurationLog.objects.get()
    assert staff_client.get(reverse("admin:works_curationlog_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:works_curationlog_add")).status_code == 403
    assert (
        staff_client.post(reverse("admin:works_curationlog_delete", args=[log.pk])).status_code
        == 403
    )
    staff_client.post(reverse("admin:works_curationlog_change", args=[log.pk]), {"reason": "y"})
    log.refresh_from_db()
    assert log.reason == "x"


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:works_work_changelist",
        "admin:works_researcher_changelist",
        "admin:works_curationlog_changelist",
    ],
)
def test_admin_lists_have_a_constant_number_of_queries(
    staff_client, staff_reviewer, django_assert_max_num_queries, url_name
):
    from works.curation import set_work_hidden

    for _ in range(12):
        authorship = AuthorshipFactory()
        set_work_hidden(authorship.work, True, staff_reviewer, "x")
    with django_assert_max_num_queries(14):
        assert staff_client.get(reverse(url_name)).status_code == 200


def test_the_run_list_shows_a_progress_bar(staff_client):
    ImportRun.objects.create(source="openalex", target="A1000", progress_done=1, progress_total=4)
    response = staff_client.get(reverse("admin:works_importrun_changelist"))
    assert b'<progress max="100" value="25">' in response.content


def test_the_researcher_page_links_to_prefilled_imports(staff_client):
    researcher = ResearcherFactory(openalex_id="A5017898742")
    page = staff_client.get(reverse("admin:works_researcher_change", args=[researcher.pk]))
    assert b"?identifier=A5017898742" in page.content
    form = staff_client.get(reverse("admin:works_importrun_start") + "?identifier=A5017898742")
    assert b'value="A5017898742"' in form.content


def test_the_last_poll_of_a_finished_run_takes_its_cancel_button_away(staff_client):
    run = ImportRun.objects.create(source="openalex", target="A1000", status="running")
    url = reverse("works:run_progress", args=[run.pk])
    assert "run-cancel-tool" not in staff_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    ImportRun.objects.filter(pk=run.pk).update(status="failed")
    body = staff_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert '<li id="run-cancel-tool" hx-swap-oob="delete"></li>' in body
    # The page's own first rendering has no such element (the partial is included, not polled).
    page = staff_client.get(reverse("admin:works_importrun_change", args=[run.pk])).content.decode()
    assert "run-cancel-tool" not in page
