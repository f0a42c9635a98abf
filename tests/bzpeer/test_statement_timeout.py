"""Statement timeouts: a web request's query ends with the request (503), other processes get
their own limit. The web path is exercised as gunicorn runs it, in a fresh process that imports
``bzpeer.wsgi`` and calls its application."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bzpeer.statement_timeout import libpq_options

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter: what a management command's connection gets, then what a
# gunicorn worker's request gets once bzpeer.wsgi is imported.
PROCESS = r"""
import json, sys, time
from wsgiref.util import setup_testing_defaults

import django
django.setup()
from django.db import connection

def show():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        value = cursor.fetchone()[0]
    connection.close()
    return value

report = {"command": show()}

import bzpeer.wsgi
from django.conf import settings
from django.urls import clear_url_caches

report["web"] = show()
settings.ROOT_URLCONF = "tests.bzpeer.slow_query_urls"
clear_url_caches()

def get(path):
    environ = {"PATH_INFO": path, "QUERY_STRING": "seconds=10"}
    setup_testing_defaults(environ)
    answer = {}
    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(headers)
    started = time.monotonic()
    body = b"".join(bzpeer.wsgi.application(environ, start_response))
    answer["seconds"] = time.monotonic() - started
    answer["body"] = body.decode()
    return answer

report["page"] = get("/slow-query/")
report["api"] = get("/api/slow-query/")
with connection.cursor() as cursor:
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND state = 'active' AND query LIKE 'SELECT pg_sleep%%'"
    )
    report["still_sleeping"] = cursor.fetchone()[0]
print(json.dumps(report))
"""


def run_web_process(**extra_env) -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="bzpeer.settings_test",
        DATABASE_URL=url,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="CRITICAL",
        **extra_env,
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    done = subprocess.run(
        [sys.executable, "-c", PROCESS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement timeouts are PostgreSQL's"
)


@pytest.fixture(scope="module")
def web_process(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return run_web_process(
            BZPEER_WEB_STATEMENT_TIMEOUT_MS="300", BZPEER_BACKGROUND_STATEMENT_TIMEOUT_MS="0"
        )


@postgres_only
def test_a_web_process_gets_the_web_timeout_and_a_command_the_background_one(web_process):
    assert web_process["command"] == "0"
    assert web_process["web"] == "300ms"


@postgres_only
def test_a_page_whose_query_outlives_the_timeout_answers_503_when_the_timeout_ends(web_process):
    page = web_process["page"]
    assert page["status"] == 503
    assert page["seconds"] < 5  # the query would have slept 10 s
    assert "temporarily unavailable" in page["body"]
    assert page["headers"]["Retry-After"]


@postgres_only
def test_an_api_request_whose_query_outlives_the_timeout_answers_503_json(web_process):
    api = web_process["api"]
    assert api["status"] == 503
    assert api["seconds"] < 5
    assert api["headers"]["Content-Type"] == "application/json"
    assert json.loads(api["body"])["code"] == "unavailable"


@postgres_only
def test_the_cancelled_query_does_not_run_on_in_postgresql(web_process):
    assert web_process["still_sleeping"] == 0


def test_the_timeout_option_replaces_its_earlier_value_and_keeps_the_others():
    options = libpq_options("-c search_path=bzpeer -c statement_timeout=0", 5000)
    assert options == "-c search_path=bzpeer -c statement_timeout=5000"
    # 0 sets none, so a limit the server gives the role still holds.
    assert libpq_options("-c search_path=bzpeer -c statement_timeout=300", 0) == (
        "-c search_path=bzpeer"
    )


@pytest.mark.django_db
def test_every_connection_of_the_test_suite_has_a_limit():
    # A runaway query in CI ends at the background limit instead of hanging the run.
    if connection.vendor != "postgresql":
        pytest.skip("statement timeouts are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "1min"
