"""The identity, collaboration and follow sections as the profile page shows them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from follows import actions as follow_actions
from tests.factories import AuthorshipFactory
from tests.factories_claims import ClaimFactory, verify_email

pytestmark = pytest.mark.django_db


def _page(client, record):
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_signed_out_visitors_see_the_reference_texts(client, record):
    html = _page(client, record)
    assert (
        "Claiming links this public author record to a researcher profile and unlocks direct "
        "collaboration workflows." in html
    )
    assert "Log in to claim" in html
    assert "This researcher has not claimed their record yet, so they cannot receive" in html
    assert f"/researchers/{record.pk}/follow/" in html


def test_a_signed_in_user_sees_the_claim_button(client, stranger, record):
    client.force_login(stranger)
    html = _page(client, record)
    assert f"/researchers/{record.pk}/claim/" in html
    assert "Log in to claim" not in html


def test_a_user_with_an_open_claim_sees_its_state(client, stranger, record):
    claim = ClaimFactory(researcher=record, claimant=stranger)
    client.force_login(stranger)
    html = _page(client, record)
    assert "Waiting for staff review" in html
    assert f"/claims/{claim.pk}/" in html


def test_the_owner_sees_claimed_author_and_the_edit_link(client, owner, record):
    record.owner = owner
    record.verification_level = 3
    record.save()
    client.force_login(owner)
    html = _page(client, record)
    assert "Claimed author" in html
    assert "L3 claimed" in html
    assert "/my-record/" in html


def test_a_verified_visitor_gets_the_invitation_form_on_a_claimed_open_record(
    client, owner, stranger, record
):
    record.owner = owner
    record.open_to_collaborate = True
    record.save()
    verify_email(stranger)
    client.force_login(stranger)
    html = _page(client, record)
    assert f"/researchers/{record.pk}/invite/" in html
    assert "Send invitation" in html


def test_the_sections_cost_a_few_queries_whatever_the_number_of_works(
    client, owner, stranger, record
):
    record.owner = owner
    record.save()
    verify_email(stranger)
    follow_actions.follow(stranger, record)
    client.force_login(stranger)
    AuthorshipFactory(researcher=record)
    with CaptureQueriesContext(connection) as few:
        _page(client, record)
    for _ in range(15):
        AuthorshipFactory(researcher=record)
    with CaptureQueriesContext(connection) as many:
        _page(client, record)
    assert len(many) == len(few)
    mine = [
        q["sql"]
        for q in many.captured_queries
        if "follows_follow" in q["sql"]
        or "claims_" in q["sql"]
        or "account_emailaddress" in q["sql"]
    ]
    assert len(mine) <= 3, mine
