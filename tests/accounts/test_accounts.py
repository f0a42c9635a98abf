"""Accounts: sign-up with email verification, sign-in, sign-out, password reset, ORCID sign-in
shown only when configured, and login brute-force limiting."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-unusual-passphrase-42"


def _sign_up(client, email="new@example.org"):
    return client.post(
        "/accounts/signup/",
        {
            "display_name": "Ada Newcomer",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def _confirmation_path():
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_pages_use_the_site_layout(client):
    html = client.get("/accounts/signup/").content.decode()
    assert "Skip to main content" in html
    assert 'name="email"' in html


def test_sign_up_needs_email_verification_before_signing_in(client, django_user_model):
    response = _sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = django_user_model.objects.get(email="new@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert mail.outbox[-1].to == ["new@example.org"]
    # Not signed in yet: member pages send the visitor to sign in.
    assert client.get("/following/")["Location"].startswith("/accounts/login/")

    path = _confirmation_path()
    assert client.get(path).status_code == 200
    assert not EmailAddress.objects.get(user=user).verified  # a GET (mail scanner) confirms nothing
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/following/").status_code == 200


def test_an_unverified_account_cannot_sign_in(client):
    _sign_up(client)
    client.logout()
    response = client.post("/accounts/login/", {"login": "new@example.org", "password": PASSWORD})
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_sign_in_returns_to_next_and_sign_out_is_a_post(client, owner):
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    response = client.post(
        "/accounts/login/?next=/feed/", {"login": owner.email, "password": "pw-123456!"}
    )
    assert response["Location"] == "/feed/"
    assert client.get("/accounts/logout/").status_code == 200  # a page, not a sign-out
    assert "_auth_user_id" in client.session
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link(client, owner):
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [owner.email]
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_orcid_sign_in_is_hidden_without_credentials(client):
    html = client.get("/accounts/login/").content.decode()
    assert "/accounts/orcid/login/" not in html


def test_orcid_sign_in_is_shown_when_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {
            "BASE_DOMAIN": "sandbox.orcid.org",
            "MEMBER_API": False,
            "APPS": [{"client_id": "APP-TEST", "secret": "s3cret", "key": ""}],
        }
    }
    html = client.get("/accounts/login/").content.decode()
    assert "/accounts/orcid/login/" in html


def test_repeated_failed_sign_ins_lock_the_account_for_this_address(client, owner, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    for _ in range(3):
        response = client.post("/accounts/login/", {"login": owner.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": owner.email, "password": "pw-123456!"})
    assert response.status_code in (403, 429)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "path", ["/accounts/email/", "/accounts/password/change/", "/accounts/3rdparty/"]
)
def test_account_management_pages_render_in_the_site_layout(client, owner, path):
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    client.force_login(owner)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Skip to main content" in html
    assert "<script>" not in html  # the CSP forbids inline scripts
