"""Sign-in lockouts key on the client's address as the API throttles do: behind
``DJANGO_NUM_PROXIES`` proxies, the address the nearest one appended to X-Forwarded-For; with
none, the connection's own address, whatever X-Forwarded-For claims."""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456!"


@pytest.fixture
def lockouts(settings, owner):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    # allauth counts failed sign-ins per account in the cache, which tests share.
    cache.clear()
    yield settings
    cache.clear()


def sign_in(client, owner, password, forwarded_for):
    return client.post(
        "/accounts/login/",
        {"login": owner.email, "password": password},
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_one_clients_failures_do_not_lock_out_another(client, lockouts, owner):
    lockouts.REST_FRAMEWORK = {**lockouts.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # Every request reaches gunicorn from the proxy (the test client's 127.0.0.1); the proxy
    # appends the address it saw.
    for _ in range(3):
        sign_in(client, owner, "wrong", "203.0.113.66")
    assert sign_in(client, owner, PASSWORD, "203.0.113.66").status_code in (403, 429)

    response = sign_in(client, owner, PASSWORD, "198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_without_proxies_a_forged_forwarded_address_buys_no_fresh_attempts(client, lockouts, owner):
    assert lockouts.REST_FRAMEWORK["NUM_PROXIES"] == 0
    for _ in range(3):
        sign_in(client, owner, "wrong", "203.0.113.66")

    response = sign_in(client, owner, PASSWORD, "198.51.100.7")
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_allauths_limits_trust_as_many_proxies_as_the_api(settings):
    # allauth keys its sign-in, sign-up and reset limits by address too: behind a proxy, on
    # the proxy's address, every visitor would share one budget.
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.ALLAUTH_TRUSTED_PROXY_COUNT
