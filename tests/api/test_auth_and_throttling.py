"""Token and session authentication, and throttling with a JSON 429."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_throttles(monkeypatch):
    """A tiny rate and an empty cache, so the test is independent of earlier requests."""
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "rate", "2/minute", raising=False)
    monkeypatch.setattr(UserRateThrottle, "rate", "3/minute", raising=False)
    yield
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
