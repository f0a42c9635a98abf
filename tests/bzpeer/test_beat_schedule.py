"""Beat's weekly jobs run once a week at a set time however often beat restarts."""

import copy
from datetime import UTC, datetime, timedelta

import pytest
from celery.schedules import crontab, schedule
from django.conf import settings

from bzpeer.celery import app

WEEKLY = ["refresh-followed-and-claimed-researchers", "send-weekly-digests"]


def runs_in_a_fortnight(entry_schedule, restart_every: timedelta) -> list[datetime]:
    """When beat would run the entry over 14 days, checking every minute, if it restarts every
    ``restart_every`` without its schedule file (a container without a volume): a fresh beat
    takes its start time as the entry's last run, as Celery's PersistentScheduler does."""
    clock = {"now": datetime(2026, 3, 2, 0, 30, tzinfo=UTC)}  # a Monday
    entry_schedule = copy.copy(entry_schedule)
    entry_schedule.nowfun = lambda: clock["now"]
    end = clock["now"] + timedelta(days=14)
    last_run = restarted = clock["now"]
    fired = []
    while clock["now"] < end:
        if clock["now"] - restarted >= restart_every:
            last_run = restarted = clock["now"]
        if entry_schedule.is_due(last_run).is_due:
            fired.append(clock["now"])
            last_run = clock["now"]
        clock["now"] += timedelta(minutes=1)
    return fired


@pytest.mark.parametrize("name", WEEKLY)
def test_weekly_jobs_are_crontab_entries(name):
    assert isinstance(settings.CELERY_BEAT_SCHEDULE[name]["schedule"], crontab)


@pytest.mark.parametrize("name", WEEKLY)
def test_a_weekly_job_runs_once_a_week_though_beat_restarts_every_day(name):
    fired = runs_in_a_fortnight(settings.CELERY_BEAT_SCHEDULE[name]["schedule"], timedelta(days=1))
    assert len(fired) == 2
    assert fired[1] - fired[0] == timedelta(days=7)


def test_a_seven_day_interval_never_runs_under_daily_restarts():
    # What the weekly jobs were before: each restart pushed the due time a week away.
    assert runs_in_a_fortnight(schedule(timedelta(days=7)), timedelta(days=1)) == []


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
