"""Import runs: start, execute page by page, cancel, re-run, sweep. Plain functions; the Celery
tasks in ``works/tasks.py`` only call these.

Each page is upserted in one transaction together with the run's counters and its checkpoint
(the cursor or offset of the next page). A failure inside a page rolls back the page and leaves
the checkpoint where it was, so the database is as it was before that page and a later run
resumes there. Upserts are keyed on external ids, so repeating a committed page is harmless too.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from bzpeer.identifiers import arxiv_doi
from works.clients import arxiv as arxiv_client
from works.clients import openalex as openalex_client
from works.clients.http import PermanentError, TransientError, UpstreamError
from works.curation import AddedWork, attach_added_work, reapply_curation
from works.importers import arxiv as arxiv_importer
from works.importers import openalex as openalex_importer
from works.importers.imported_text import describe_cuts
from works.models import Authorship, ImportRun, Researcher, Work
from works.signals import announce_researchers_changed
from works.versions import link_versions

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
ARXIV_MAX_RESULTS = 2000


class RunCancelled(Exception):
    pass


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "BZPEER_IMPORT_STALE_SECONDS", 600))


# Starting ------------------------------------------------------------------------------------


# The sources a worker runs, so the only ones a run can be queued (or re-run) for. CSL uploads
# are imported in the request and snapshots by a command; neither file is kept on the run.
WORKER_SOURCES = frozenset({ImportRun.Source.OPENALEX, ImportRun.Source.ARXIV})


class CannotRerun(Exception):
    pass


def can_rerun(run: ImportRun) -> bool:
    return run.source in WORKER_SOURCES


def tasks_run_in_process() -> bool:
    """True without a broker (development): ``delay()`` runs the task in the caller."""
    from bzpeer.celery import app

    return bool(app.conf.task_always_eager)


def _enqueue(run: ImportRun, *, detach: bool = False) -> ImportRun:
    """Send the run to a worker once the transaction that created it commits.

    ``detach`` is for a request that queues a run (the admin): without a broker, ``delay()``
    would run the whole import inside that request, after its commit but before its response
    (``on_commit`` does not help: it fires in the same thread), so the page would hang until the
    run ended and then announce it as queued. Detached, the run goes to a thread of this process
    instead, and the request answers at once with the run still queued.
    """
    from works import tasks

    if run.source not in WORKER_SOURCES:
        raise ValueError(f"Runs of source {run.source!r} are not executed by a worker.")
    task = {
        ImportRun.Source.OPENALEX: tasks.import_openalex_author,
        ImportRun.Source.ARXIV: tasks.import_arxiv_for_researcher,
    }[run.source]
    if detach and tasks_run_in_process():
        transaction.on_commit(lambda: _run_in_thread(task, run.pk))
    else:
        transaction.on_commit(lambda: _send_to_worker(task, run.pk))
    return run


def _send_to_worker(task, run_id: int) -> None:
    """Queue the run; with the broker unreachable, leave it queued for the sweeper.

    The run row is committed before this is called, so nothing is lost: the sweeper sends a run
    that stayed queued past ``BZPEER_IMPORT_STALE_SECONDS`` once the broker answers again. The
    person who started it sees the run waiting, not an error page.
    """
    try:
        task.delay(run_id)
    except BrokerUnreachable:
        logger.warning("Broker unreachable: import run %s stays queued for the sweeper", run_id)


def _run_in_thread(task, run_id: int) -> threading.Thread:
    """Run the task in-process, off the request thread. Development only: the thread dies with
    its process (stopping `make run` mid-import leaves the run marked running), which is one
    reason production insists on a broker and a worker."""

    def work():
        try:
            task.apply(args=[run_id])
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, name=f"import-run-{run_id}", daemon=True)
    thread.start()
    return thread


def start_openalex_import(
    identifier: str, requested_by=None, *, enqueue=True, detach=False
) -> ImportRun:
    """Queue an import of one OpenAlex author (id, URL or ORCID) and all their works.

    The identifier is checked first (PermanentError if malformed), so a bad one creates no run.
    """
    key = openalex_client.parse_author_identifier(identifier)
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=ImportRun.Source.OPENALEX, target=key, requested_by=_user(requested_by)
        )
        return _enqueue(run, detach=detach) if enqueue else run


def start_arxiv_import(
    researcher: Researcher, query: str = "", requested_by=None, *, enqueue=True, detach=False
) -> ImportRun:
    query = query.strip() or arxiv_client.author_query(researcher.display_name)
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=ImportRun.Source.ARXIV,
            target=query[:500],
            researcher=researcher,
            requested_by=_user(requested_by),
        )
        return _enqueue(run, detach=detach) if enqueue else run


# A run that imports one work for a record's owner names it by a prefixed target, so the author
# imports' targets (an OpenAlex author id or "orcid:...", an arXiv query) never look like one.
DOI_TARGET, ARXIV_TARGET = "doi:", "arxiv:"


def start_work_addition(
    researcher: Researcher,
    *,
    doi: str = "",
    arxiv_id: str = "",
    requested_by=None,
    enqueue=True,
    detach=False,
) -> ImportRun:
    """Queue the import of one work, by its (normalised) DOI from OpenAlex or its arXiv id from
    arXiv, to be put on ``researcher``'s record (:func:`works.curation.attach_added_work`)."""
    if bool(doi) == bool(arxiv_id):
        raise ValueError("Give a DOI or an arXiv id, not both.")
    source, target = (
        (ImportRun.Source.OPENALEX, f"{DOI_TARGET}{doi}")
        if doi
        else (ImportRun.Source.ARXIV, f"{ARXIV_TARGET}{arxiv_id}")
    )
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=source, target=target, researcher=researcher, requested_by=_user(requested_by)
        )
        return _enqueue(run, detach=detach) if enqueue else run


def work_additions():
    """The runs that add one work to a record (:func:`start_work_addition`)."""
    return ImportRun.objects.filter(
        Q(source=ImportRun.Source.OPENALEX, target__startswith=DOI_TARGET)
        | Q(source=ImportRun.Source.ARXIV, target__startswith=ARXIV_TARGET)
    )


def is_work_addition(run: ImportRun) -> bool:
    return (run.source == ImportRun.Source.OPENALEX and run.target.startswith(DOI_TARGET)) or (
        run.source == ImportRun.Source.ARXIV and run.target.startswith(ARXIV_TARGET)
    )


def rerun(run: ImportRun, requested_by=None, *, detach=False) -> ImportRun:
    """A fresh run with the same source and target (the old one stays as a record).

    :class:`CannotRerun` for a file import (CSL, snapshot): its file is not kept, and no worker
    runs that source; nothing is created then.
    """
    if not can_rerun(run):
        raise CannotRerun(
            f"A {run.get_source_display()} import cannot be re-run: import the file again."
        )
    with transaction.atomic():
        new = ImportRun.objects.create(
            source=run.source,
            target=run.target,
            researcher=run.researcher,
            requested_by=_user(requested_by),
        )
        return _enqueue(new, detach=detach)


@transaction.atomic
def cancel_run(run: ImportRun, by=None) -> bool:
    """Stop a run: the worker notices between pages; committed pages stay."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.is_finished:
        return False
    run.status = ImportRun.Status.CANCELLED
    run.finished_at = timezone.now()
    who = getattr(by, "get_username", lambda: "system")()
    run.errors = [*run.errors, _error("Cancelled", f"cancelled by {who}")]
    run.save(update_fields=["status", "finished_at", "errors"])
    return True


def get_import_run_for_user(user, pk) -> ImportRun:
    """The run, for staff who may view import runs (PermissionDenied otherwise; Http404 if
    there is none)."""
    from django.shortcuts import get_object_or_404

    from bzpeer.staff import require_staff_permission

    require_staff_permission(user, "works.view_importrun")
    return get_object_or_404(ImportRun.objects.select_related("researcher"), pk=pk)


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _error(kind: str, detail: str, page: int | None = None) -> dict:
    entry = {"at": timezone.now().isoformat(), "kind": kind, "detail": detail}
    if page is not None:
        entry["page"] = page
    return entry


def record_inline_import(
    source: str, target: str, researcher: Researcher | None, requested_by, stats
) -> ImportRun:
    """Record an import done in the request (a CSL upload) as a finished run, then do what
    every import ends with (versions, curation replay, graph refresh)."""
    now = timezone.now()
    run = ImportRun.objects.create(
        source=source,
        target=target[:500],
        researcher=researcher,
        requested_by=_user(requested_by),
        status=ImportRun.Status.SUCCEEDED,
        created=stats.created,
        updated=stats.updated,
        unchanged=stats.unchanged,
        skipped=stats.skipped,
        progress_done=stats.created + stats.updated + stats.unchanged + stats.skipped,
        started_at=now,
        finished_at=now,
        heartbeat_at=now,
        errors=[_error("TextCut", line) for line in describe_cuts(stats.cuts)],
    )
    run.progress_total = run.progress_done
    run.save(update_fields=["progress_total"])
    if researcher is not None:
        after_import([researcher.pk])
    return run


# Executing -----------------------------------------------------------------------------------


def _claim(run_id: int, task_id: str) -> ImportRun | None:
    """Mark the run running for this task, or return None if there is nothing to do."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.is_finished:
            return None
        now = timezone.now()
        if (
            run.status == ImportRun.Status.RUNNING
            and run.celery_task_id
            and run.celery_task_id != task_id
            and run.heartbeat_at
            and now - run.heartbeat_at < stale_after()
        ):
            return None  # another live worker has it (a duplicate delivery)
        run.status = ImportRun.Status.RUNNING
        run.started_at = run.started_at or now
        run.heartbeat_at = now
        run.attempts += 1
        run.celery_task_id = task_id or ""
        run.save(
            update_fields=["status", "started_at", "heartbeat_at", "attempts", "celery_task_id"]
        )
        return run


def _commit_page(run: ImportRun, apply_page, done: int, total: int | None, checkpoint: dict):
    """Upsert one page and record progress, all or nothing."""
    with transaction.atomic():
        status = (
            ImportRun.objects.select_for_update().values_list("status", flat=True).get(pk=run.pk)
        )
        if status == ImportRun.Status.CANCELLED:
            raise RunCancelled
        stats = apply_page()
        run.created += stats.created
        run.updated += stats.updated
        run.unchanged += stats.unchanged
        run.skipped += stats.skipped
        run.progress_done += done
        if total is not None:
            run.progress_total = max(total, run.progress_done)
        run.checkpoint = checkpoint
        run.heartbeat_at = timezone.now()
        # Texts the importer cut to their limit, named on the run (record and field).
        cuts = [
            _error("TextCut", line, getattr(run, "current_page", None))
            for line in describe_cuts(stats.cuts)
        ]
        if cuts:
            run.errors = [*ImportRun.objects.values_list("errors", flat=True).get(pk=run.pk), *cuts]
        run.save(
            update_fields=[
                "created",
                "updated",
                "unchanged",
                "skipped",
                "progress_done",
                "progress_total",
                "checkpoint",
                "heartbeat_at",
                *(["errors"] if cuts else []),
            ]
        )


def _run_openalex(run: ImportRun) -> list[int]:
    checkpoint = dict(run.checkpoint or {})
    if "researcher" not in checkpoint:
        data = openalex_client.get_author(run.target)
        with transaction.atomic():
            researcher = openalex_importer.import_author(data)
            run.researcher = researcher
            run.checkpoint = checkpoint = {
                "researcher": researcher.pk,
                "author": openalex_importer.normalise_openalex_id(data["id"]),
                "cursor": "*",
                "page": 0,
            }
            run.progress_total = data.get("works_count") or None
            run.heartbeat_at = timezone.now()
            run.save(update_fields=["researcher", "checkpoint", "progress_total", "heartbeat_at"])
    cursor = checkpoint["cursor"]
    page_number = checkpoint.get("page", 0)
    while cursor:
        page_number += 1
        run.current_page = page_number  # named in the run's error if this page fails
        page = openalex_client.get_works_page(checkpoint["author"], cursor)
        next_cursor = page.next_cursor if page.results else None
        _commit_page(
            run,
            lambda page=page: openalex_importer.import_works(page.results),
            len(page.results),
            page.count,
            {**checkpoint, "cursor": next_cursor, "page": page_number},
        )
        cursor = next_cursor
    return [checkpoint["researcher"]]


def _run_arxiv(run: ImportRun) -> list[int]:
    researcher = run.researcher
    if researcher is None:
        raise PermanentError("This arXiv run has no researcher to match entries against.")
    start = int((run.checkpoint or {}).get("start", 0))
    while True:
        run.current_page = start // arxiv_client.PER_PAGE + 1
        feed = arxiv_client.search(run.target, start=start)
        total = min(feed.total, ARXIV_MAX_RESULTS)
        if not feed.entries:
            break
        start += len(feed.entries)
        _commit_page(
            run,
            lambda feed=feed: arxiv_importer.import_entries(researcher, feed.entries),
            len(feed.entries),
            total,
            {"start": start},
        )
        if start >= total:
            break
    return [researcher.pk]


def _run_work_addition(run: ImportRun) -> list[int]:
    """Import the one work the run names and put it on the run's record. The outcome (matched,
    asserted, already listed) and the work are kept in the run's checkpoint."""
    researcher = run.researcher
    if researcher is None:
        raise PermanentError("This run has no record to add the work to.")
    run.current_page = 1
    if run.source == ImportRun.Source.OPENALEX:
        identifier = run.target.removeprefix(DOI_TARGET)
        data = openalex_client.get_work_by_doi(identifier)
        work_id = openalex_importer.normalise_openalex_id(data["id"])

        def apply_page():
            return openalex_importer.import_works([data])

        def find_work():
            return Work.objects.get(openalex_id=work_id)
    else:
        identifier = run.target.removeprefix(ARXIV_TARGET)
        feed = arxiv_client.by_ids([identifier])
        entries = [entry for entry in feed.entries if entry.arxiv_id == identifier]
        if not entries:
            raise PermanentError(f"arXiv has no paper {identifier}.", status=404)

        def apply_page():
            return arxiv_importer.import_entries(researcher, entries, keep_unmatched=True)

        def find_work():
            return Work.objects.filter(
                Q(arxiv_id=identifier) | Q(doi=arxiv_doi(identifier))
            ).earliest("pk")

    with transaction.atomic():
        before = set(
            Authorship.objects.filter(researcher=researcher).values_list("work_id", flat=True)
        )
        _commit_page(run, apply_page, 1, 1, {})
        work = find_work()
        if work.pk in before:
            outcome = AddedWork.ALREADY_LISTED
        else:
            # The import may have credited the record already (its OpenAlex author id, an
            # arXiv name match): the log entry still makes the addition outlive later imports.
            outcome = attach_added_work(work, researcher, run.requested_by, identifier)
        run.checkpoint = {"work": work.pk, "outcome": outcome}
        run.save(update_fields=["checkpoint"])
    return [researcher.pk]


def after_import(researcher_ids: list[int]) -> None:
    """What every import of a few researchers ends with: replay curation, pair versions, refresh
    their graph. A second call changes nothing."""
    canonical = set(researcher_ids)
    canonical |= set(
        Researcher.objects.filter(pk__in=researcher_ids, merged_into__isnull=False).values_list(
            "merged_into_id", flat=True
        )
    )
    reapply_curation()
    link_versions(canonical)
    announce_researchers_changed(__name__, canonical)


def after_bulk_import() -> dict[str, int]:
    """What a file import (snapshot, demo) ends with: replay curation, pair versions among
    everyone's works, and announce that everyone changed (the graph recomputes itself). Returns
    what the listeners reported: the graph's counts."""
    reapply_curation()
    link_versions(Researcher.objects.canonical().values_list("pk", flat=True))
    return announce_researchers_changed(__name__, None)


def _finish(run: ImportRun, status: str, error: dict | None = None) -> None:
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == ImportRun.Status.CANCELLED:
            return
        locked.status = status
        locked.finished_at = timezone.now()
        locked.heartbeat_at = locked.finished_at
        if error:
            locked.errors = [*locked.errors, error]
        locked.save(update_fields=["status", "finished_at", "heartbeat_at", "errors"])
    run.refresh_from_db()


def _record_error(run: ImportRun, error: dict) -> None:
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        locked.errors = [*locked.errors, error]
        locked.save(update_fields=["errors"])


def execute_run(run_id: int, task_id: str = "", final_attempt: bool = True) -> ImportRun | None:
    """Run (or resume) an import to the end. Returns None if there was nothing to do.

    A :class:`TransientError` is re-raised for the task to retry later, unless this is the final
    attempt, in which case the run fails with the error. Anything else fails the run at once,
    with the error in ``run.errors``; committed pages stay.
    """
    run = _claim(run_id, task_id)
    if run is None:
        return None
    run.current_page = None
    try:
        if is_work_addition(run):
            researcher_ids = _run_work_addition(run)
        elif run.source == ImportRun.Source.OPENALEX:
            researcher_ids = _run_openalex(run)
        elif run.source == ImportRun.Source.ARXIV:
            researcher_ids = _run_arxiv(run)
        else:
            raise PermanentError(f"Runs of source {run.source!r} are not executed by a worker.")
        after_import(researcher_ids)
    except RunCancelled:
        run.refresh_from_db()
        return run
    except TransientError as exc:
        error = _error("TransientError", exc.detail, run.current_page)
        if final_attempt:
            _finish(run, ImportRun.Status.FAILED, error)
            return run
        _record_error(run, error)
        raise
    except UpstreamError as exc:
        _finish(
            run, ImportRun.Status.FAILED, _error(type(exc).__name__, exc.detail, run.current_page)
        )
        return run
    except Exception as exc:
        # Schema drift, a bug: the page rolled back; say what happened on the run.
        logger.exception("import run %s failed", run.pk)
        error = _error(type(exc).__name__, str(exc)[:2000], run.current_page)
        _finish(run, ImportRun.Status.FAILED, error)
        return run
    _finish(run, ImportRun.Status.SUCCEEDED)
    return run


# Sweeping and refreshing ---------------------------------------------------------------------


def _stalled_attempts(run: ImportRun) -> int:
    """How many times in a row a worker claimed the run and then vanished without committing a
    page. Each sweep writes the run's progress and attempt count into its ``WorkerLost`` entry, so
    the next sweep can tell a run that is dying while still moving (a big import on workers that
    get restarted) from one that dies at the same page every time."""
    previous = next(
        (
            entry
            for entry in reversed(run.errors)
            if entry.get("kind") == "WorkerLost" and "progress" in entry
        ),
        None,
    )
    if previous is None:
        return 0 if run.progress_done else run.attempts
    if run.progress_done > previous["progress"]:
        return 0
    return previous.get("stalled", 0) + max(0, run.attempts - previous["attempts"])


def sweep_stale_runs(now=None, stale: timedelta | None = None) -> dict[str, list[int]]:
    """Resume runs whose worker stopped heart-beating; fail one only after MAX_ATTEMPTS attempts
    in a row that committed no page, so a long import is never given up while it advances."""
    now = now or timezone.now()
    cutoff = now - (stale if stale is not None else stale_after())
    resumed, failed = [], []
    with transaction.atomic():
        stuck = ImportRun.objects.select_for_update(skip_locked=True).filter(
            status__in=[ImportRun.Status.RUNNING, ImportRun.Status.QUEUED],
            source__in=[ImportRun.Source.OPENALEX, ImportRun.Source.ARXIV],
        )
        for run in stuck:
            last = run.heartbeat_at or run.created_at
            if last > cutoff:
                continue
            stalled = _stalled_attempts(run)
            ledger = {"progress": run.progress_done, "attempts": run.attempts, "stalled": stalled}
            if stalled >= MAX_ATTEMPTS:
                run.status = ImportRun.Status.FAILED
                run.finished_at = now
                run.errors = [
                    *run.errors,
                    {
                        **_error(
                            "WorkerLost",
                            f"no progress since {last.isoformat()} in {stalled} attempts; gave up",
                        ),
                        **ledger,
                    },
                ]
                run.save(update_fields=["status", "finished_at", "errors"])
                failed.append(run.pk)
                continue
            run.status = ImportRun.Status.QUEUED
            run.heartbeat_at = now
            run.celery_task_id = ""
            run.errors = [
                *run.errors,
                {
                    **_error("WorkerLost", f"no progress since {last.isoformat()}; resumed"),
                    **ledger,
                },
            ]
            run.save(update_fields=["status", "heartbeat_at", "celery_task_id", "errors"])
            _enqueue(run)
            resumed.append(run.pk)
    return {"resumed": resumed, "failed": failed}
