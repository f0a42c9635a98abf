"""Thin Celery tasks: JSON arguments (run ids), time limits, the work done in ``works.runs``.

Imports are idempotent (upserts keyed on external ids, a checkpoint committed with each page), so
they are ``acks_late`` and rejected back to the queue if the worker dies. Only
:class:`TransientError` is retried, with exponential backoff, jitter and a cap.
"""

from celery import shared_task

from works import runs
from works.clients.http import TransientError

IMPORT_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (TransientError,),
    "retry_backoff": 30,
    "retry_backoff_max": 15 * 60,
    "retry_jitter": True,
    "max_retries": 5,
    "time_limit": 60 * 60,
    "soft_time_limit": 55 * 60,
}


def _execute(task, run_id: int) -> int | None:
    # In-process (eager) mode has no broker to schedule a retry on: the first failure is final.
    final = task.request.is_eager or task.request.retries >= task.max_retries
    run = runs.execute_run(run_id, task_id=task.request.id or "", final_attempt=final)
    return run.pk if run else None


@shared_task(bind=True, **IMPORT_TASK_OPTIONS)
def import_openalex_author(self, run_id: int):
    return _execute(self, run_id)


@shared_task(bind=True, **IMPORT_TASK_OPTIONS)
def import_arxiv_for_researcher(self, run_id: int):
    return _execute(self, run_id)


@shared_task(time_limit=5 * 60)
def sweep_stale_import_runs():
    return runs.sweep_stale_runs()
