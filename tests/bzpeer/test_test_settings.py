"""The suite runs on bzpeer/settings_test.py: with Redis (CI), on the production cache and mail
path; and the production settings are the same whether pytest is loaded or not."""

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.core.cache import cache, caches

from bzpeer.cache import FailOpenRedisCache
from bzpeer.mail import mail_after_commit
from bzpeer.tasks import send_email
from conftest import empty_cache

ROOT = Path(__file__).resolve().parents[2]

with_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")
without_redis = pytest.mark.skipif(bool(settings.REDIS_URL), reason="runs without REDIS_URL")


def test_the_suite_runs_on_the_test_settings():
    assert settings.SETTINGS_MODULE == "bzpeer.settings_test"


def send_one_mail(capture_on_commit) -> mock.Mock:
    """Mail as an action sends it; returns the spy on the worker path's ``delay()``."""
    with (
        mock.patch.object(send_email, "delay", wraps=send_email.delay) as delay,
        capture_on_commit(execute=True),
    ):
        mail_after_commit("Subject", "Body", ["someone@example.org"])
    return delay


@with_redis
def test_with_redis_the_cache_is_the_production_one_under_this_runs_prefix():
    assert isinstance(caches["default"], FailOpenRedisCache)
    assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL
    prefix = cache.key_prefix
    assert prefix.startswith("tests:")
    server = redis.Redis.from_url(settings.REDIS_URL)
    other_suite = f"other-{prefix}:1:probe"
    server.set(other_suite, "theirs", ex=60)
    try:
        cache.set("probe", "ours")
        assert server.exists(f"{prefix}:1:probe")

        empty_cache()

        assert cache.get("probe") is None
        assert server.get(other_suite) == b"theirs"  # another suite's keys are left alone
    finally:
        server.delete(other_suite)


@with_redis
@pytest.mark.django_db
def test_with_redis_mail_takes_the_worker_path_and_still_arrives(
    django_capture_on_commit_callbacks,
):
    assert settings.BZPEER_EMAIL_VIA_WORKER is True
    delay = send_one_mail(django_capture_on_commit_callbacks)
    delay.assert_called_once_with("Subject", "Body", ["someone@example.org"])
    assert [(m.subject, m.to) for m in mail.outbox] == [("Subject", ["someone@example.org"])]


@without_redis
@pytest.mark.django_db
def test_without_redis_local_memory_and_mail_sent_in_process(django_capture_on_commit_callbacks):
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert settings.BZPEER_EMAIL_VIA_WORKER is False
    delay = send_one_mail(django_capture_on_commit_callbacks)
    delay.assert_not_called()
    assert [m.to for m in mail.outbox] == [["someone@example.org"]]


SHOW_SETTINGS = """
import json, pytest, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "CACHE": s.CACHES["default"]["BACKEND"],
    "HASHER": s.PASSWORD_HASHERS[0],
    "AXES_ENABLED": s.AXES_ENABLED,
    "ANON_RATE": s.BZPEER_API_ANON_RATE,
    "EMAIL_VIA_WORKER": s.BZPEER_EMAIL_VIA_WORKER,
}))
"""


def test_the_production_settings_ignore_a_loaded_pytest():
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "bzpeer.settings",
            "DJANGO_ENV_FILE": os.devnull,
            "REDIS_URL": "redis://127.0.0.1:6379/0",  # read, never connected to
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "CACHE": "bzpeer.cache.FailOpenRedisCache",
        "HASHER": "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "AXES_ENABLED": True,
        "ANON_RATE": "120/minute",
        "EMAIL_VIA_WORKER": True,
    }
