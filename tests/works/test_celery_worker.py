"""A real Celery worker process on the real Redis and Postgres: an import runs to completion, and
a worker SIGKILLed mid-import is replaced, the run resumed, and every work ends up present once.

Skipped unless REDIS_URL is set and the database is PostgreSQL: the worker is another process and
must see the committed test data (hence ``transaction=True``).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count

from works import runs
from works.clients import arxiv
from works.models import Authorship, ImportRun, Work

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (settings.REDIS_URL and settings.IS_POSTGRES),
        reason="needs REDIS_URL and DATABASE_URL pointing at PostgreSQL",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return (
        f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
        f"/{s['NAME']}"
    )


class Worker:
    def __init__(self, page_delay: float):
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "BZPEER_REPLAY_PAGE_DELAY": str(page_delay),
            "DJANGO_SETTINGS_MODULE": "bzpeer.settings",
        }
        self.log = ROOT / f".celery-worker-test-{uuid.uuid4().hex[:8]}.log"
        self.process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "tests.works.replay_worker",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.unlink(missing_ok=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture
def workers():
    import redis

    # A clean queue: no message (or unacked message) left from an earlier run. Only Celery's
    # own keys are removed, not the whole Redis database.
    redis.Redis.from_url(settings.REDIS_URL).delete(
        "celery", "unacked", "unacked_index", "unacked_mutex", arxiv.RedisRateLimiter.key
    )
    started: list[Worker] = []

    def start(page_delay: float = 0.0) -> Worker:
        worker = Worker(page_delay)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(predicate, timeout: float, what: str, worker: Worker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker.process.poll() is not None:
            pytest.fail(f"worker exited while waiting for {what}:\n{worker.output()}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n{worker.output()}")


def run_state(pk: int) -> ImportRun:
    return ImportRun.objects.get(pk=pk)


def assert_every_work_once():
    assert Work.objects.count() == 9
    duplicates = Work.objects.values("openalex_id").annotate(n=Count("pk")).filter(n__gt=1)
    assert not duplicates.exists()
    per_slot = Authorship.objects.values("work_id", "order").annotate(n=Count("pk"))
    assert not per_slot.filter(n__gt=1).exists()


def test_a_worker_runs_an_import_to_completion(workers):
    worker = workers()
    run = runs.start_openalex_import("A5017898742")  # queued on Redis (not eager)
    done = wait_for(
        lambda: run_state(run.pk).is_finished and run_state(run.pk),
        60,
        "the run to finish",
        worker,
    )
    assert done.status == ImportRun.Status.SUCCEEDED, (done.errors, worker.output())
    assert (done.created, done.progress_done, done.percent) == (9, 9, 100)
    assert done.celery_task_id
    assert_every_work_once()


def test_a_worker_killed_mid_import_loses_nothing_and_duplicates_nothing(workers):
    slow = workers(page_delay=1.0)
    run = runs.start_openalex_import("A5017898742")
    wait_for(lambda: run_state(run.pk).progress_done >= 3, 60, "three pages", slow)
    slow.kill()  # SIGKILL, mid-page: that page's transaction dies with the connection
    killed = run_state(run.pk)
    assert killed.status == ImportRun.Status.RUNNING
    assert 3 <= killed.progress_done < 9
    assert Work.objects.count() == killed.progress_done

    fresh = workers(page_delay=0.0)
    # The beat sweeper notices the silent run and queues it again (stale threshold shortened).
    result = runs.sweep_stale_runs(stale=timedelta(seconds=0))
    assert result["resumed"] == [run.pk]
    done = wait_for(
        lambda: run_state(run.pk).is_finished and run_state(run.pk),
        60,
        "the resumed run to finish",
        fresh,
    )
    assert done.status == ImportRun.Status.SUCCEEDED, (done.errors, fresh.output())
    assert done.attempts == 2
    # Resumed from the checkpoint: no page counted twice.
    assert (done.created, done.progress_done) == (9, 9)
    assert_every_work_once()
