"""Redis and PostgreSQL stopped for real around requests: the answers stay safe, never a 500.

Each test starts its own private server (tests/bzpeer/private_services.py) and stops it; the
machine's shared services are never touched.
"""

import logging
import subprocess
import sys
import time

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from bzpeer.cache import FailOpenRedisCache
from tests.bzpeer.private_services import (
    BASE_DIR,
    Gunicorn,
    PrivatePostgres,
    PrivateRedis,
    production_env,
)
from works.models import Researcher


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def redis_cache(private_redis, settings, monkeypatch):
    """The production cache configuration, pointed at the private Redis.

    The test suite's cache is local memory or the shared Redis (bzpeer/settings_test.py);
    replacing ``CACHES`` makes Django drop its cache connections, so ``cache`` is the private
    Redis one here.
    Without the pause after a failure, so each request tries Redis (one test sets it).
    """
    monkeypatch.setattr(FailOpenRedisCache, "PAUSE_SECONDS", 0.0)
    settings.CACHES = {"default": {**settings.REDIS_CACHE, "LOCATION": private_redis.url}}
    cache.clear()
    return private_redis


def statuses(client, path, count, **headers):
    return [client.get(path, **headers).status_code for _ in range(count)]


@pytest.mark.django_db
def test_anonymous_api_requests_are_let_through_while_redis_is_down(
    client, redis_cache, settings, caplog
):
    settings.BZPEER_API_ANON_RATE = "2/minute"
    assert statuses(client, "/api/works/", 3) == [200, 200, 429]

    redis_cache.stop()
    with caplog.at_level(logging.WARNING, logger="bzpeer.cache"):
        started = time.monotonic()
        assert statuses(client, "/api/works/", 4) == [200, 200, 200, 200]
        elapsed = time.monotonic() - started
    assert "Redis cache unreachable" in caplog.text
    # An unreachable Redis must not stall requests: refused connections fail at once.
    assert elapsed < 4

    redis_cache.start()  # back, and empty: counting starts again
    assert statuses(client, "/api/works/", 3) == [200, 200, 429]


@pytest.mark.django_db
def test_after_a_failure_redis_is_left_alone_for_a_pause(
    client, redis_cache, settings, monkeypatch
):
    # A Redis host that drops packets costs a socket timeout per try: after one failure the
    # cache does not try again for a pause, so requests meanwhile do not pay it.
    monkeypatch.setattr(FailOpenRedisCache, "PAUSE_SECONDS", 4.0)
    settings.BZPEER_API_ANON_RATE = "2/minute"
    redis_cache.stop()
    assert statuses(client, "/api/works/", 1) == [200]  # fails, and starts the pause
    paused_at = time.monotonic()
    redis_cache.start()
    assert statuses(client, "/api/works/", 3) == [200, 200, 200]  # not counted: paused
    time.sleep(max(0.0, paused_at + 4.1 - time.monotonic()))
    assert statuses(client, "/api/works/", 3) == [200, 200, 429]


@pytest.mark.django_db
def test_signed_in_api_reads_and_follows_work_while_redis_is_down(
    client, redis_cache, settings, owner
):
    settings.BZPEER_API_USER_RATE = "2/minute"
    researcher = Researcher.objects.create(display_name="Ada Lovelace")
    auth = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=owner).key}"}
    redis_cache.stop()
    assert statuses(client, "/api/me/follows/", 3, **auth) == [200, 200, 200]
    response = client.post(
        "/api/me/follows/", {"researcher": researcher.pk}, content_type="application/json", **auth
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_sign_in_works_and_axes_still_locks_out_while_redis_is_down(
    client, redis_cache, settings, owner
):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    redis_cache.stop()

    response = client.post("/accounts/login/", {"login": owner.email, "password": "pw-123456!"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    client.logout()

    # allauth's own failed-login limit lives in the cache and is off; axes counts in the database.
    for _ in range(3):
        response = client.post("/accounts/login/", {"login": owner.email, "password": "wrong"})
        assert response.status_code in (200, 429)  # the third failure locks already
    response = client.post("/accounts/login/", {"login": owner.email, "password": "pw-123456!"})
    assert response.status_code in (403, 429)
    assert "Too many failed sign-in attempts" in response.content.decode()


@pytest.mark.django_db
def test_sign_up_and_password_reset_refuse_to_mail_while_redis_is_down(
    client, redis_cache, owner, mailoutbox
):
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    redis_cache.stop()
    signup = {
        "email": "new@example.org",
        "password1": "a-long-pass-phrase-1",
        "password2": "a-long-pass-phrase-1",
        "display_name": "New Person",
    }
    response = client.post("/accounts/signup/", signup)
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "paused" in response.content.decode()
    response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 503
    assert mailoutbox == []
    # Reading the forms needs no limit.
    assert client.get("/accounts/signup/").status_code == 200

    redis_cache.start()
    response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1


@pytest.fixture
def private_postgres():
    server = PrivatePostgres()
    server.start()
    server.create_database()
    yield server
    server.remove()


def test_pages_answer_a_branded_503_while_postgres_is_down_and_recover(private_postgres):
    # Persistent connections, as production keeps them: the one left from before the restart
    # must be replaced, not used.
    env = production_env(DATABASE_URL=private_postgres.url, DJANGO_CONN_MAX_AGE="60")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    web = Gunicorn(env)
    try:
        assert web.get("/")[0] == 200
        assert web.get("/api/researchers/")[0] == 200

        private_postgres.stop()
        status, headers, body = web.get("/")
        assert status == 503, body
        assert "temporarily unavailable" in body
        assert 'class="site-header"' in body  # the site's own page, with its way back home
        assert "Traceback" not in body
        assert headers["Retry-After"]
        status, headers, body = web.get("/api/researchers/")
        assert status == 503
        assert headers["Content-Type"] == "application/json"
        assert '"code": "unavailable"' in body or '"code":"unavailable"' in body

        private_postgres.start()
        # The first request after PostgreSQL is back is answered: no restart, no stale connection.
        assert web.get("/")[0] == 200
        assert web.get("/api/researchers/")[0] == 200
    finally:
        web.stop()


@pytest.mark.django_db
def test_signing_in_unverified_sends_no_confirmation_mails_while_redis_is_down(
    client, redis_cache, owner, mailoutbox
):
    # Each sign-in of an unverified account mails its address again, limited to one per few
    # minutes in the cache only: with Redis down, a loop of sign-ins would flood that inbox.
    EmailAddress.objects.create(user=owner, email=owner.email, verified=False, primary=True)
    sign_in = {"login": owner.email, "password": "pw-123456!"}
    client.post("/accounts/login/", sign_in)
    assert len(mailoutbox) == 1
    redis_cache.stop()

    for _ in range(3):
        response = client.post("/accounts/login/", sign_in)
        assert response.status_code == 302  # to "check your inbox", as ever
    assert len(mailoutbox) == 1

    # Back up (empty: the private Redis keeps nothing across a restart): one mail, then the
    # cooldown counts again.
    redis_cache.start()
    client.post("/accounts/login/", sign_in)
    client.post("/accounts/login/", sign_in)
    assert len(mailoutbox) == 2
