"""Import runs end to end through the real clients, replaying the recorded OpenAlex answers."""

from datetime import timedelta

import pytest
import responses
from django.db import models
from django.utils import timezone

from tests.factories import ResearcherFactory, WorkFactory
from tests.works import imports_replay as replay
from works import runs, tasks
from works.clients import http
from works.clients.http import PermanentError, TransientError
from works.importers import openalex as openalex_importer
from works.models import ImportRun, Researcher, Work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_backoff_wait(monkeypatch):
    sleeps = []
    monkeypatch.setattr(http.DEFAULT_POLICY, "sleep", sleeps.append)
    return sleeps


def openalex_run(target=replay.AUTHOR_ID) -> ImportRun:
    return ImportRun.objects.create(source=ImportRun.Source.OPENALEX, target=target)


def snapshot() -> list[tuple]:
    return list(Work.objects.order_by("pk").values_list("pk", "openalex_id", "title", "updated_at"))


@responses.activate
def test_a_full_author_import_creates_the_author_and_all_their_works():
    replay.add_author(responses)
    replay.add_pages(responses, [replay.all_works()])
    run = runs.execute_run(openalex_run().pk)
    assert run.status == ImportRun.Status.SUCCEEDED, run.errors
    researcher = Researcher.objects.get(openalex_id=replay.AUTHOR_ID)
    assert run.researcher == researcher
    assert Work.objects.filter(authorships__researcher=researcher).count() == 9
    assert (run.created, run.progress_done, run.progress_total, run.percent) == (9, 9, 9, 100)
    assert run.checkpoint["cursor"] is None
    assert run.started_at <= run.finished_at


@responses.activate
def test_a_two_page_cursor_import_fetches_both_pages_and_a_rerun_adds_nothing():
    # The recorded page has no next_cursor: the test splits it into two pages chained by a
    # cursor it sets itself (see imports_replay.add_pages).
    works = replay.all_works()
    replay.add_author(responses)
    replay.add_pages(responses, [works[:5], works[5:]])
    first = runs.execute_run(openalex_run().pk)
    assert first.status == ImportRun.Status.SUCCEEDED, first.errors
    assert first.checkpoint["page"] == 2
    assert Work.objects.count() == 9
    before = snapshot()

    second = runs.execute_run(runs.rerun(first).pk)
    assert second.status == ImportRun.Status.SUCCEEDED
    assert (second.created, second.unchanged) == (0, 9)
    assert snapshot() == before


@responses.activate
def test_a_429_with_retry_after_is_honoured_then_the_import_succeeds(no_backoff_wait):
    replay.add_author(responses)
    responses.get(replay.WORKS_URL, status=429, headers={"Retry-After": "3"})
    replay.add_pages(responses, [replay.all_works()])
    run = runs.execute_run(openalex_run().pk)
    assert run.status == ImportRun.Status.SUCCEEDED, run.errors
    assert no_backoff_wait == [3.0]
    assert Work.objects.count() == 9


@responses.activate
def test_a_500_storm_fails_the_run_and_leaves_the_data_untouched():
    existing = WorkFactory(title="Already here")
    before = snapshot()
    replay.add_author(responses)
    responses.get(replay.WORKS_URL, status=500)
    run = openalex_run()
    # Through the task; in-process there is no broker to retry on, so the failure is final (a
    # worker retries with backoff first: see test_a_storm_on_page_two_...).
    tasks.import_openalex_author.apply(args=[run.pk])
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.errors[-1]["kind"] == "TransientError"
    assert "HTTP 500" in run.errors[-1]["detail"]
    assert snapshot() == before
    assert Work.objects.get() == existing


@responses.activate
def test_a_storm_on_page_two_keeps_page_one_and_the_retry_resumes_at_page_two():
    works = replay.all_works()
    replay.add_author(responses)
    replay.add_pages(responses, [works[:5]])
    responses.get(
        replay.WORKS_URL,
        status=503,
        match=[responses.matchers.query_param_matcher({"cursor": "c1"}, strict_match=False)],
    )
    # Page 1 says there is a page "c1" (set by the test; the recording has no cursor).
    responses.replace(
        responses.GET,
        replay.WORKS_URL,
        json=replay.page_body(works[:5], "c1", 9),
        match=[responses.matchers.query_param_matcher({"cursor": "*"}, strict_match=False)],
    )
    run = openalex_run()
    with pytest.raises(TransientError):
        runs.execute_run(run.pk, final_attempt=False)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.RUNNING
    assert run.checkpoint["cursor"] == "c1"
    assert Work.objects.count() == 5

    responses.reset()
    responses.get(
        replay.WORKS_URL,
        json=replay.page_body(works[5:], None, 9),
        match=[responses.matchers.query_param_matcher({"cursor": "c1"}, strict_match=False)],
    )
    run = runs.execute_run(run.pk)
    assert run.status == ImportRun.Status.SUCCEEDED, run.errors
    assert [c.request.url for c in responses.calls] and len(responses.calls) == 1
    assert Work.objects.count() == 9
    assert (run.created, run.progress_done) == (9, 9)


def test_a_malformed_id_is_refused_before_a_run_is_created():
    with pytest.raises(PermanentError, match="Not an OpenAlex author"):
        runs.start_openalex_import("W3188841554")
    assert not ImportRun.objects.exists()


@responses.activate
def test_an_unknown_author_fails_the_run_with_the_404():
    responses.get("https://api.openalex.org/authors/A999999999", status=404, json={})
    run = runs.execute_run(openalex_run("A999999999").pk)
    assert run.status == ImportRun.Status.FAILED
    assert "404" in run.errors[-1]["detail"]
    assert not Researcher.objects.exists()


@responses.activate
def test_a_truncated_works_page_fails_the_run_with_a_clear_error_and_writes_no_work():
    replay.add_author(responses)
    body = (replay.OPENALEX / "works-by-A5017898742-per_page50.json").read_text()
    responses.get(replay.WORKS_URL, body=body[: len(body) // 2], content_type="application/json")
    run = runs.execute_run(openalex_run().pk)
    assert run.status == ImportRun.Status.FAILED
    assert "not JSON" in run.errors[-1]["detail"]
    assert not Work.objects.exists()


@responses.activate
def test_a_page_that_fails_midway_is_rolled_back_entirely(monkeypatch):
    works = replay.all_works()
    replay.add_author(responses)
    replay.add_pages(responses, [works[:5], works[5:]])
    real = openalex_importer.import_works
    calls = []

    def failing_on_second_page(batch):
        calls.append(len(batch))
        stats = real(batch)  # writes the page...
        if len(calls) == 2:
            raise KeyError("authorships")  # ...then the mapping trips over schema drift
        return stats

    monkeypatch.setattr(openalex_importer, "import_works", failing_on_second_page)
    run = runs.execute_run(openalex_run().pk)
    assert run.status == ImportRun.Status.FAILED
    assert run.errors[-1]["kind"] == "KeyError"
    assert run.errors[-1]["page"] == 2
    assert Work.objects.count() == 5
    assert (run.progress_done, run.checkpoint["cursor"]) == (5, "c1")


@responses.activate
def test_a_cancelled_run_stops_before_the_next_page(monkeypatch):
    works = replay.all_works()
    replay.add_author(responses)
    replay.add_pages(responses, [works[:5], works[5:]])
    real = openalex_importer.import_works

    def cancel_after_first_page(batch):
        stats = real(batch)
        ImportRun.objects.filter(status=ImportRun.Status.RUNNING).update(
            status=ImportRun.Status.CANCELLED
        )
        return stats

    monkeypatch.setattr(openalex_importer, "import_works", cancel_after_first_page)
    run = runs.execute_run(openalex_run().pk)
    assert run.status == ImportRun.Status.CANCELLED
    # The cancel landed inside page 1's transaction, so page 1 was already committed by the time
    # page 2 was asked: page 2 is not written.
    assert Work.objects.count() == 5


def test_cancel_run_marks_a_queued_run_cancelled_once(staff_reviewer):
    run = openalex_run()
    assert runs.cancel_run(run, staff_reviewer) is True
    assert runs.cancel_run(run, staff_reviewer) is False
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CANCELLED
    assert "reviewer" in run.errors[-1]["detail"]
    assert runs.execute_run(run.pk) is None


def test_the_sweeper_resumes_stale_runs_and_fails_those_out_of_attempts(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(tasks.import_openalex_author, "delay", sent.append)
    old = timezone.now() - timedelta(hours=1)
    stale = openalex_run()
    ImportRun.objects.filter(pk=stale.pk).update(
        status=ImportRun.Status.RUNNING, heartbeat_at=old, attempts=1
    )
    hopeless = openalex_run()
    ImportRun.objects.filter(pk=hopeless.pk).update(
        status=ImportRun.Status.RUNNING, heartbeat_at=old, attempts=runs.MAX_ATTEMPTS
    )
    fresh = openalex_run()
    ImportRun.objects.filter(pk=fresh.pk).update(
        status=ImportRun.Status.RUNNING, heartbeat_at=timezone.now(), attempts=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.sweep_stale_import_runs.apply().get()
    assert result == {"resumed": [stale.pk], "failed": [hopeless.pk]}
    assert sent == [stale.pk]
    statuses = dict(ImportRun.objects.values_list("pk", "status"))
    assert statuses == {stale.pk: "queued", hopeless.pk: "failed", fresh.pk: "running"}


def worker_dies(run: ImportRun, pages: int) -> None:
    """A worker claims the run (as ``runs._claim`` does), commits ``pages`` pages, then vanishes."""
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING,
        attempts=models.F("attempts") + 1,
        progress_done=models.F("progress_done") + 25 * pages,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )


def test_the_sweeper_keeps_resuming_a_run_that_advances_between_kills(monkeypatch):
    monkeypatch.setattr(tasks.import_openalex_author, "delay", lambda pk: None)
    run = openalex_run()
    for _ in range(10):
        worker_dies(run, pages=3)
        assert runs.sweep_stale_runs() == {"resumed": [run.pk], "failed": []}
    run.refresh_from_db()
    assert (run.status, run.attempts, run.progress_done) == ("queued", 10, 750)


def test_the_sweeper_gives_up_after_max_attempts_in_a_row_without_a_page(monkeypatch):
    monkeypatch.setattr(tasks.import_openalex_author, "delay", lambda pk: None)
    run = openalex_run()
    worker_dies(run, pages=4)
    assert runs.sweep_stale_runs()["resumed"] == [run.pk]
    for _ in range(runs.MAX_ATTEMPTS - 1):
        worker_dies(run, pages=0)
        assert runs.sweep_stale_runs()["resumed"] == [run.pk]
    worker_dies(run, pages=0)
    assert runs.sweep_stale_runs() == {"resumed": [], "failed": [run.pk]}
    run.refresh_from_db()
    assert run.status == "failed"
    assert "in 3 attempts; gave up" in run.errors[-1]["detail"]


def test_a_queued_run_no_worker_picked_up_is_requeued_not_failed(monkeypatch):
    monkeypatch.setattr(tasks.import_openalex_author, "delay", lambda pk: None)
    run = openalex_run()
    for _ in range(runs.MAX_ATTEMPTS + 2):
        ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        assert runs.sweep_stale_runs()["resumed"] == [run.pk]


@responses.activate
def test_starting_an_import_runs_it_through_the_task(django_capture_on_commit_callbacks, settings):
    from bzpeer.celery import app

    app.conf.task_always_eager = True
    replay.add_author(responses)
    replay.add_pages(responses, [replay.all_works()])
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.start_openalex_import("https://openalex.org/A5017898742")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.celery_task_id
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@responses.activate
def test_the_command_imports_an_author_synchronously():
    from io import StringIO

    from django.core.management import call_command

    replay.add_author(responses)
    replay.add_pages(responses, [replay.all_works()])
    out = StringIO()
    call_command("import_openalex_author", "https://openalex.org/A5017898742", "--sync", stdout=out)
    assert "succeeded: 9 created" in out.getvalue()
    assert Work.objects.count() == 9


def test_the_command_queues_a_run_and_prints_its_id(monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    monkeypatch.setattr(tasks.import_openalex_author, "delay", lambda run_id: None)
    out = StringIO()
    call_command("import_openalex_author", "A5017898742", stdout=out)
    run = ImportRun.objects.get()
    assert f"Queued import run {run.pk}" in out.getvalue()


def test_the_command_refuses_a_malformed_id():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Not an OpenAlex author"):
        call_command("import_openalex_author", "W123")
    assert not ImportRun.objects.exists()


@responses.activate
def test_the_arxiv_command_imports_for_a_researcher(monkeypatch):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from works.clients import arxiv

    monkeypatch.setattr(arxiv, "_limiter", arxiv.InProcessRateLimiter(sleep=lambda s: None))
    adrian = ResearcherFactory(display_name="Adrian Del Maestro")
    responses.get(replay.ARXIV_URL, body=replay.arxiv_body("empty-id_0808.05394-2026.atom.xml"))
    out = StringIO()
    call_command("import_arxiv", "--researcher", adrian.pk, "--sync", stdout=out)
    assert "succeeded" in out.getvalue()
    assert ImportRun.objects.get().target == 'au:"Adrian Del Maestro"'
    with pytest.raises(CommandError, match="No researcher"):
        call_command("import_arxiv", "--researcher", 0, "--sync")


@responses.activate
def test_records_with_missing_fields_still_import():
    works = replay.all_works()
    # Schema drift as the real records show it: keys missing or null.
    for key in ("authorships", "abstract_inverted_index", "topics", "primary_topic"):
        works[0].pop(key, None)
    works[1]["primary_location"] = None
    works[2]["doi"] = None
    replay.add_author(responses)
    replay.add_pages(responses, [works])
    run = runs.execute_run(openalex_run().pk)
    assert run.status == ImportRun.Status.SUCCEEDED, run.errors
    assert Work.objects.count() == 9
