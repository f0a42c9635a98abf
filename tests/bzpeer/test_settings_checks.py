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
    clean.pop("BZPEER_SITE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        # A developer's own .env must not decide these tests.
        env={**clean, "DJANGO_ENV_FILE": os.devnull, **env},
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
        BZPEER_SITE_URL="https://bzpeer.example.org",
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


@override_settings(DEBUG=False, BZPEER_SITE_URL="", ALLOWED_HOSTS=["bzpeer.example.org"])
def test_it_warns_when_production_has_no_site_address():
    messages = [m for m in run_checks() if m.id == "bzpeer.W002"]
    assert len(messages) == 1
    # It says where emails would link meanwhile.
    assert "https://bzpeer.example.org" in messages[0].msg


@override_settings(
    DEBUG=False, BZPEER_SITE_URL="https://bzpeer.example.org", ALLOWED_HOSTS=["other.example.org"]
)
def test_it_warns_when_the_site_address_is_not_an_allowed_host():
    assert "bzpeer.W003" in ids_of(run_checks())


@override_settings(
    DEBUG=False,
    BZPEER_SITE_URL="https://bzpeer.example.org:8443/",
    ALLOWED_HOSTS=[".example.org"],
)
def test_a_site_address_the_site_answers_to_passes():
    assert not {"bzpeer.W002", "bzpeer.W003"} & ids_of(run_checks())


@override_settings(DEBUG=True, BZPEER_SITE_URL="http://127.0.0.1:8000")
def test_development_needs_no_site_address():
    assert not {"bzpeer.W002", "bzpeer.W003"} & ids_of(run_checks())


def test_production_without_a_site_address_warns_at_every_command():
    """Not only under check --deploy: migrate, which every deployment runs, prints it."""
    result = run_manage(
        "check",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="bzpeer.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "bzpeer.W002" in result.stderr + result.stdout
