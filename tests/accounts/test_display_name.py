"""People choose the name others see: asked at sign-up, editable, shown instead of the username
allauth generates."""

import re

import pytest
from django.contrib.auth import get_user_model

from accounts.actions import set_display_name
from accounts.models import Profile
from accounts.names import person_name

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-unusual-passphrase-42"


def _sign_up(client, email="ada@example.org", **extra):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", {**data, **extra})


def test_sign_up_asks_for_the_name_first(client):
    html = client.get("/accounts/signup/").content.decode()
    assert 'name="display_name"' in html
    assert html.index('name="display_name"') < html.index('name="email"')
    name_input = re.search(r'<input[^>]*name="display_name"[^>]*>', html).group(0)
    assert 'autocomplete="name"' in name_input


def test_sign_up_stores_the_chosen_name(client):
    response = _sign_up(client, display_name="  Ada   Lovelace ")
    assert response.status_code == 302
    user = get_user_model().objects.get(email="ada@example.org")
    assert user.profile.display_name == "Ada Lovelace"
    assert person_name(user) == "Ada Lovelace"
    assert user.username != "Ada Lovelace"  # the generated username stays out of sight


def test_sign_up_without_a_name_is_refused(client):
    response = _sign_up(client, display_name="   ")
    assert response.status_code == 200
    assert not get_user_model().objects.filter(email="ada@example.org").exists()
    assert "Write the name you want other people to see." in response.content.decode()


def test_the_header_shows_the_name_not_the_username(client, follower):
    set_display_name(follower, "Fiona Follower")
    client.force_login(follower)
    html = client.get("/").content.decode()
    assert "Signed in as <strong>Fiona Follower</strong>" in html
    assert ">follower<" not in html


def test_the_name_is_editable(client, follower):
    client.force_login(follower)
    page = client.get("/accounts/name/")
    assert page.status_code == 200
    assert 'value="follower"' in page.content.decode()  # the fallback, until a name is chosen

    response = client.post("/accounts/name/", {"display_name": "Fiona Follower"})
    assert response.status_code == 302
    assert Profile.objects.get(user=follower).display_name == "Fiona Follower"
    client.post("/accounts/name/", {"display_name": "Fiona F."})
    assert Profile.objects.get(user=follower).display_name == "Fiona F."

    assert client.post("/accounts/name/", {"display_name": ""}).status_code == 400
    assert Profile.objects.get(user=follower).display_name == "Fiona F."


def test_the_name_page_needs_sign_in(client):
    assert client.get("/accounts/name/")["Location"].startswith("/accounts/login/")


def test_accounts_without_a_chosen_name_fall_back_to_full_name_then_username(follower):
    assert person_name(follower) == "follower"
    follower.first_name, follower.last_name = "Fiona", "Orcid"
    assert person_name(follower) == "Fiona Orcid"
    set_display_name(follower, "Fi")
    assert person_name(follower) == "Fi"


def test_allauth_messages_and_emails_use_the_chosen_name(client, follower):
    from django.core import mail

    from tests.factories_claims import verify_email

    # Its own address: allauth sends one confirmation per address every few minutes.
    _sign_up(client, email="ada.mail@example.org", display_name="Ada Lovelace")
    assert "Ada Lovelace" in mail.outbox[-1].body
    assert get_user_model().objects.get(email="ada.mail@example.org").username not in (
        mail.outbox[-1].body
    )

    verify_email(follower)
    set_display_name(follower, "Fiona Follower")
    client.post("/accounts/login/", {"login": follower.email, "password": "pw-123456!"})
    assert "Successfully signed in as Fiona Follower." in client.get("/").content.decode()


def test_claim_review_names_the_claimant_and_the_reviewer(client, owner, staff_reviewer):
    from claims import actions as claim_actions
    from tests.factories_claims import ClaimFactory

    set_display_name(owner, "Olivia Owner")
    set_display_name(staff_reviewer, "Rita Reviewer")
    claim = ClaimFactory(claimant=owner)
    client.force_login(staff_reviewer)
    queue = client.get("/staff/claims/").content.decode()
    assert "Olivia Owner" in queue and owner.email in queue

    claim_actions.reject_claim(claim, staff_reviewer, "Not enough evidence")
    detail = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "Olivia Owner" in detail
    assert "by Rita Reviewer" in detail
    assert ">owner<" not in detail and "by reviewer" not in detail


def test_a_name_cannot_carry_directional_or_control_characters(client, follower):
    # A right-to-left override in a name reverses the text after it wherever the name is shown
    # (the inbox line "from NAME · Pending · date", invitation emails), as it did for imported
    # titles; control characters have no place in a name either.
    client.force_login(follower)
    response = client.post(
        "/accounts/name/", {"display_name": "Ada\u202e\u2066 Love\x07lace\u200f\u2069"}
    )

    assert response.status_code == 302
    assert Profile.objects.get(user=follower).display_name == "Ada Lovelace"


def test_a_name_made_only_of_controls_is_refused(client, follower):
    client.force_login(follower)
    response = client.post("/accounts/name/", {"display_name": "\u202e\u202e"})

    assert response.status_code == 400
    assert not Profile.objects.filter(user=follower).exists()
