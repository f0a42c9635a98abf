"""Production refuses to start, or fails `check --deploy`, when it is misconfigured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "not-a-real-secret-but-long-and-varied-0123456789-abcdefghijklmnopqrstuvwxyz"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def ids_of(messages) -> set[str]:
    return {m.id for m in messages}


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage("check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="short")
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_deploy_check_is_clean_when_production_is_fully_configured():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=GOOD_KEY,
        DATABASE_URL="postgres://bzpeer@db.invalid/bzpeer",
        REDIS_URL="redis://redis.invalid:6379/0",
        ALLOWED_HOSTS="bzpeer.example.org",
        OPENALEX_API_KEY="key",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_rejects_sqlite_in_production():
    sqlite = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
    # Only the check reads this copy; the test database connection is untouched.
    with (
        pytest.warns(UserWarning, match="DATABASES"),
        override_settings(DEBUG=False, REDIS_URL="redis://x", DATABASES=sqlite),
    ):
        assert "bzpeer.E001" in ids_of(run_checks(include_deployment_checks=True))


@override_settings(DEBUG=False, REDIS_URL="redis://x")
def test_it_accepts_postgres_in_production():
    postgres = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "bzpeer"}}
    with pytest.warns(UserWarning, match="DATABASES"), override_settings(DATABASES=postgres):
        assert "bzpeer.E001" not in ids_of(run_checks(include_deployment_checks=True))


@override_settings(DEBUG=False, REDIS_URL="")
def test_it_rejects_production_without_a_broker():
    assert "bzpeer.E002" in ids_of(run_checks(include_deployment_checks=True))


@override_settings(OPENALEX_API_KEY="")
def test_it_warns_without_an_openalex_key():
    assert "bzpeer.W001" in ids_of(run_checks(include_deployment_checks=True))


@override_settings(DEBUG=True, REDIS_URL="")
def test_development_needs_no_configuration():
    found = ids_of(run_checks(include_deployment_checks=True))
    assert not {"bzpeer.E001", "bzpeer.E002"} & found
