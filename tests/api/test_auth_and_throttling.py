"""Token and session authentication, and throttling with a JSON 429.

Anonymous clients meet one throttle, keyed by address (``BZPEER_API_ANON_RATE``); signed-in
clients meet another, keyed by user (``BZPEER_API_USER_RATE``).
"""

import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_throttles(settings):
    """Tiny rates and an empty cache, so the test is independent of earlier requests."""
    from django.core.cache import cache

    cache.clear()
    settings.BZPEER_API_ANON_RATE = "2/minute"
    settings.BZPEER_API_USER_RATE = "3/minute"
    yield settings
    cache.clear()


def test_token_authentication_identifies_the_user(client, stranger):
    token = Token.objects.create(user=stranger)
    response = client.get("/api/researchers/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.wsgi_request.user == stranger


def test_a_bad_token_gets_a_json_401(client, db):
    response = client.get("/api/researchers/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_session_authentication_works(client, stranger):
    client.force_login(stranger)
    response = client.get("/api/works/")
    assert response.status_code == 200
    assert response.wsgi_request.user == stranger


def test_anonymous_clients_are_throttled_with_a_json_429(client, db, fresh_throttles):
    assert client.get("/api/works/").status_code == 200
    assert client.get("/api/works/").status_code == 200
    response = client.get("/api/works/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_a_forged_forwarded_for_header_does_not_reset_the_budget(client, db, fresh_throttles):
    statuses = [
        client.get("/api/works/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 429, 429]


def test_users_have_their_own_budget(client, stranger, fresh_throttles):
    token = Token.objects.create(user=stranger)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    statuses = [client.get("/api/works/", **auth).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_signed_in_users_get_a_429_with_retry_after(client, stranger, fresh_throttles):
    token = Token.objects.create(user=stranger)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    for _ in range(3):
        client.get("/api/works/", **auth)
    response = client.get("/api/works/", **auth)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_raising_the_anonymous_rate_is_all_anonymous_clients_need(client, db, fresh_throttles):
    # The signed-in rate is lower: it must not hold anonymous clients back.
    fresh_throttles.BZPEER_API_ANON_RATE = "5/minute"
    fresh_throttles.BZPEER_API_USER_RATE = "1/minute"
    assert [client.get("/api/works/").status_code for _ in range(6)] == [200] * 5 + [429]


def test_signed_in_users_meet_only_their_own_rate(client, stranger, fresh_throttles):
    fresh_throttles.BZPEER_API_ANON_RATE = "1/minute"
    fresh_throttles.BZPEER_API_USER_RATE = "3/minute"
    token = Token.objects.create(user=stranger)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/works/").status_code == 200  # the address's anonymous budget, spent
    statuses = [client.get("/api/works/", **auth).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_a_users_budget_follows_them_across_addresses(client, stranger, fresh_throttles):
    token = Token.objects.create(user=stranger)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    statuses = [
        client.get("/api/works/", REMOTE_ADDR=f"198.51.100.{n}", **auth).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_behind_a_proxy_each_forwarded_client_has_its_own_budget(client, db, fresh_throttles):
    fresh_throttles.REST_FRAMEWORK = {**fresh_throttles.REST_FRAMEWORK, "NUM_PROXIES": 1}

    def get(address):
        return client.get("/api/works/", HTTP_X_FORWARDED_FOR=address).status_code

    assert [get("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert [get("203.0.113.2") for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize("rate", ["lots", "120", "120/fortnight", "-1/minute"])
def test_a_rate_the_throttle_cannot_read_stops_the_start(rate):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env={"PATH": "/usr/bin:/bin", "BZPEER_API_USER_RATE": rate},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "BZPEER_API_USER_RATE must be" in result.stderr
