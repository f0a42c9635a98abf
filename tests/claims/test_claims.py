"""Claiming a record: each kind of evidence, staff review, withdrawal, release and L4."""

import re
from unittest import mock

import pytest
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Notification
from claims import actions
from claims.models import AuditEvent, Claim
from tests.factories import InstitutionFactory, ResearcherFactory
from tests.factories_claims import ClaimFactory, connect_orcid
from works.models import Researcher

pytestmark = pytest.mark.django_db


def _actions_of(claim):
    return list(claim.events.values_list("action", flat=True))


# ORCID ----------------------------------------------------------------------------------------


def test_matching_orcid_sign_in_approves_the_claim_at_once_at_l3(client, owner, record):
    connect_orcid(owner, "0000-0002-1825-0097")
    client.force_login(owner)
    response = client.post(reverse("claims:start", args=[record.pk]), {"evidence": "orcid"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.owner == owner
    assert record.verification_level == Researcher.Level.CLAIMED
    claim = Claim.objects.get()
    assert claim.status == Claim.Status.APPROVED
    assert claim.reviewer is None
    assert _actions_of(claim) == ["claim_submitted", "claim_approved"]


def test_orcid_that_differs_from_the_record_is_refused_and_changes_nothing(client, owner, record):
    connect_orcid(owner, "0000-0001-5109-3700")
    client.force_login(owner)
    response = client.post(reverse("claims:start", args=[record.pk]), {"evidence": "orcid"})
    assert response.status_code == 400
    assert "is not this record" in response.content.decode()
    record.refresh_from_db()
    assert record.owner is None
    assert not Claim.objects.exists()
    assert not AuditEvent.objects.exists()


def test_orcid_evidence_needs_an_orcid_sign_in_and_cannot_be_typed(client, owner, record):
    client.force_login(owner)
    response = client.post(
        reverse("claims:start", args=[record.pk]),
        {"evidence": "orcid", "note": "0000-0002-1825-0097"},
    )
    assert response.status_code == 400
    assert "Sign in with ORCID first" in response.content.decode()
    assert not Claim.objects.exists()


# Institutional email -----------------------------------------------------------------------


def _submit_email_claim(client, user, record, address="ada@bangor.ac.uk"):
    client.force_login(user)
    return client.post(
        reverse("claims:start", args=[record.pk]),
        {"evidence": "email", "institutional_email": address},
    )


def _link_from_outbox():
    # The link is on the site's address (BZPEER_SITE_URL), not the request's host.
    match = re.search(
        r"http://127\.0\.0\.1:8000(/claims/confirm-email/[^/\s]+/)", mail.outbox[-1].body
    )
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_email_claim_sends_a_signed_link_to_the_institutional_address(
    client, owner, record, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit_email_claim(client, owner, record)
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert claim.status == Claim.Status.AWAITING_EMAIL
    assert mail.outbox[-1].to == ["ada@bangor.ac.uk"]
    link = _link_from_outbox()

    page = client.get(link)
    assert page.status_code == 200
    body = page.content.decode()
    # The page names the address and the record it confirms.
    assert 'Confirm that <strong class="verify-address">ada@bangor.ac.uk</strong>' in body
    assert f'href="{record.get_absolute_url()}"><bdi>{record.display_name}</bdi></a>' in body
    claim.refresh_from_db()
    assert claim.status == Claim.Status.AWAITING_EMAIL  # a GET changes nothing

    response = client.post(link)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PENDING
    assert claim.email_verified_at is not None
    assert _actions_of(claim) == ["claim_submitted", "claim_email_sent", "claim_email_verified"]
    record.refresh_from_db()
    assert record.owner is None  # staff still review it


def test_a_subdomain_of_the_institution_matches(client, owner, record):
    _submit_email_claim(client, owner, record, "ada@cs.bangor.ac.uk")
    assert Claim.objects.get().institutional_email == "ada@cs.bangor.ac.uk"


def test_email_at_another_domain_is_refused(client, owner, record):
    response = _submit_email_claim(client, owner, record, "ada@bangor.ac.uk.evil.example")
    assert response.status_code == 400
    assert "not at this record&#x27;s institution" in response.content.decode()
    assert not Claim.objects.exists()


def test_staff_set_domains_replace_the_homepage_domain(client, owner, record, bangor):
    bangor.email_domains = ["bangor.example"]
    bangor.save()
    assert _submit_email_claim(client, owner, record, "ada@bangor.ac.uk").status_code == 400
    assert _submit_email_claim(client, owner, record, "ada@bangor.example").status_code == 302


def test_a_record_without_institution_domains_refuses_email_evidence(client, owner):
    record = ResearcherFactory(last_known_institution=InstitutionFactory(homepage_url=""))
    response = _submit_email_claim(client, owner, record, "ada@bangor.ac.uk")
    assert response.status_code == 400
    assert "no known email domain" in response.content.decode()


def test_a_forged_link_is_refused_with_a_clear_message(client, owner, record):
    _submit_email_claim(client, owner, record)
    claim = Claim.objects.get()
    token = actions.make_email_token(claim)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.post(reverse("claims:verify_email", args=[forged]))
    assert response.status_code == 400
    assert "This confirmation link is not valid" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.AWAITING_EMAIL


def test_a_link_signed_for_another_address_is_refused(client, owner, record):
    _submit_email_claim(client, owner, record)
    claim = Claim.objects.get()
    token = signing.TimestampSigner(salt=actions.EMAIL_LINK_SALT).sign_object(
        {"claim": claim.pk, "email": "someone@else.example"}
    )
    response = client.post(reverse("claims:verify_email", args=[token]))
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.status == Claim.Status.AWAITING_EMAIL


def test_an_expired_link_is_refused_with_a_clear_message(client, owner, record, settings):
    settings.BZPEER_CLAIM_EMAIL_MAX_AGE_HOURS = 1
    _submit_email_claim(client, owner, record)
    claim = Claim.objects.get()
    token = actions.make_email_token(claim)
    import time

    later = time.time() + 2 * 3600
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.post(reverse("claims:verify_email", args=[token]))
    assert response.status_code == 400
    assert "This confirmation link has expired" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.AWAITING_EMAIL


def test_another_account_cannot_use_the_claimants_link(client, owner, stranger, record):
    _submit_email_claim(client, owner, record)
    token = actions.make_email_token(Claim.objects.get())
    client.force_login(stranger)
    response = client.post(reverse("claims:verify_email", args=[token]))
    assert response.status_code == 400
    assert "another account" in response.content.decode()
    assert Claim.objects.get().status == Claim.Status.AWAITING_EMAIL


def test_a_signed_out_visitor_opening_the_link_signs_in_and_comes_back(client, owner, record):
    _submit_email_claim(client, owner, record)
    token = actions.make_email_token(Claim.objects.get())
    client.logout()
    link = reverse("claims:verify_email", args=[token])
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert link in response["Location"].replace("%3A", ":")
    # ... and the sign-in page says why they are there.
    login = client.get(response["Location"]).content.decode()
    assert "Sign in with the account you claimed the record from" in login


# Other evidence, staff review --------------------------------------------------------------


def test_other_evidence_waits_for_staff_and_needs_a_note(client, owner, record):
    client.force_login(owner)
    url = reverse("claims:start", args=[record.pk])
    assert client.post(url, {"evidence": "other", "note": ""}).status_code == 400
    response = client.post(
        url,
        {"evidence": "other", "note": "My staff page", "link_1": "https://bangor.ac.uk/~ada"},
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.status == Claim.Status.PENDING
    assert claim.links == [
        {"label": "https://bangor.ac.uk/~ada", "url": "https://bangor.ac.uk/~ada"}
    ]


def test_links_must_be_web_addresses(owner, record):
    with pytest.raises(actions.ClaimError):
        actions.submit_claim(
            owner, record, "other", note="x", links=[{"url": "javascript:alert(1)"}]
        )
    assert not Claim.objects.exists()


def test_staff_approve_makes_the_claimant_owner_notifies_and_audits(
    client, owner, staff_reviewer, record, django_capture_on_commit_callbacks
):
    claim = ClaimFactory(researcher=record, claimant=owner)
    client.force_login(staff_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("claims:approve", args=[claim.pk]), {"reason": "ok"})
    assert response.status_code == 302
    record.refresh_from_db()
    claim.refresh_from_db()
    assert record.owner == owner
    assert record.verification_level == Researcher.Level.CLAIMED
    assert claim.status == Claim.Status.APPROVED
    assert claim.reviewer == staff_reviewer
    assert "approved" in Notification.objects.get(user=owner).message
    assert mail.outbox[-1].to == [owner.email]
    assert AuditEvent.objects.filter(
        claim=claim, action="claim_approved", actor=staff_reviewer
    ).exists()


def test_approving_closes_the_other_open_claims_on_the_record(
    owner, stranger, staff_reviewer, record
):
    mine = ClaimFactory(researcher=record, claimant=owner)
    theirs = ClaimFactory(researcher=record, claimant=stranger)
    actions.approve_claim(mine, staff_reviewer)
    theirs.refresh_from_db()
    assert theirs.status == Claim.Status.REJECTED
    assert theirs.decision_reason == "Another claim on this record was approved."
    with pytest.raises(actions.ClaimError, match="not waiting for review"):
        actions.approve_claim(theirs, staff_reviewer)


def test_a_second_approval_on_an_owned_record_is_refused(owner, stranger, staff_reviewer, record):
    actions.approve_claim(ClaimFactory(researcher=record, claimant=owner), staff_reviewer)
    late = ClaimFactory(researcher=record, claimant=stranger)  # e.g. inserted behind our back
    with pytest.raises(actions.ClaimError, match="already has an owner"):
        actions.approve_claim(late, staff_reviewer)
    record.refresh_from_db()
    assert record.owner == owner


def test_the_database_refuses_two_approved_claims_on_one_record(owner, stranger, record):
    ClaimFactory(researcher=record, claimant=owner, status=Claim.Status.APPROVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(researcher=record, claimant=stranger, status=Claim.Status.APPROVED)


def test_a_user_owns_at_most_one_record(owner, staff_reviewer, record):
    actions.approve_claim(ClaimFactory(researcher=record, claimant=owner), staff_reviewer)
    other = ResearcherFactory()
    with pytest.raises(actions.ClaimError, match="already own a record"):
        actions.submit_claim(owner, other, "other", note="me too")
    with pytest.raises(IntegrityError), transaction.atomic():
        Researcher.objects.filter(pk=other.pk).update(owner=owner)


def test_staff_cannot_approve_their_own_claim(staff_reviewer, record):
    claim = ClaimFactory(researcher=record, claimant=staff_reviewer)
    with pytest.raises(actions.ClaimError, match="your own claim"):
        actions.approve_claim(claim, staff_reviewer)
    record.refresh_from_db()
    assert record.owner is None


def test_reject_needs_a_reason_and_tells_the_claimant(
    client, owner, staff_reviewer, record, django_capture_on_commit_callbacks
):
    claim = ClaimFactory(researcher=record, claimant=owner)
    client.force_login(staff_reviewer)
    client.post(reverse("claims:reject", args=[claim.pk]), {"reason": ""})
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("claims:reject", args=[claim.pk]), {"reason": "No evidence."})
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED
    assert "No evidence." in Notification.objects.get(user=owner).message
    assert "No evidence." in mail.outbox[-1].body


def test_the_claimant_can_withdraw_an_open_claim(client, owner, record):
    claim = ClaimFactory(researcher=record, claimant=owner)
    client.force_login(owner)
    client.post(reverse("claims:withdraw", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == Claim.Status.WITHDRAWN
    assert _actions_of(claim) == ["claim_withdrawn"]
    # and may claim again
    actions.submit_claim(owner, record, "other", note="again")


def test_the_owner_can_release_the_record(client, owner, staff_reviewer, record):
    actions.approve_claim(ClaimFactory(researcher=record, claimant=owner), staff_reviewer)
    actions.set_staff_verified(record, staff_reviewer)
    client.force_login(owner)
    client.post(reverse("claims:record_release"))
    record.refresh_from_db()
    assert record.owner is None
    assert not record.staff_verified
    assert record.verification_level < Researcher.Level.CLAIMED
    assert Claim.objects.get().status == Claim.Status.RELEASED
    assert AuditEvent.objects.filter(action="record_released", actor=owner).exists()


def test_staff_grant_l4_to_a_claimed_record(client, owner, staff_reviewer, record):
    client.force_login(staff_reviewer)
    client.post(reverse("claims:verify_record", args=[record.pk]))
    record.refresh_from_db()
    assert not record.staff_verified  # unclaimed: nothing to verify
    actions.approve_claim(ClaimFactory(researcher=record, claimant=owner), staff_reviewer)
    client.post(reverse("claims:verify_record", args=[record.pk]))
    record.refresh_from_db()
    assert record.staff_verified
    assert record.verification_level == Researcher.Level.VERIFIED
    assert AuditEvent.objects.filter(action="record_verified", actor=staff_reviewer).exists()


def test_staff_cannot_verify_their_own_record(staff_reviewer, claim_reviewer, record):
    actions.approve_claim(ClaimFactory(researcher=record, claimant=staff_reviewer), claim_reviewer)
    with pytest.raises(actions.ClaimError):
        actions.set_staff_verified(record, staff_reviewer)


def test_claiming_verifying_and_releasing_set_the_level(owner, staff_reviewer, record):
    """Each change of owner or verification recomputes the level at once (through the graph)."""
    actions.approve_claim(ClaimFactory(researcher=record, claimant=owner), staff_reviewer)
    record.refresh_from_db()
    assert record.verification_level == Researcher.Level.CLAIMED
    actions.set_staff_verified(record, staff_reviewer)
    record.refresh_from_db()
    assert record.verification_level == Researcher.Level.VERIFIED
    actions.release_record(record, owner)
    record.refresh_from_db()
    assert record.verification_level == Researcher.Level.ORCID


# Owner editing ---------------------------------------------------------------------------------


def test_the_owner_edits_summary_openness_and_links_but_not_scholarly_data(
    client, owner, staff_reviewer, record
):
    actions.approve_claim(ClaimFactory(researcher=record, claimant=owner), staff_reviewer)
    client.force_login(owner)
    assert client.get(reverse("claims:record_edit")).status_code == 200
    response = client.post(
        reverse("claims:record_edit"),
        {
            "summary": "Quantum fluids.",
            "link_label_1": "Lab",
            "link_url_1": "https://lab.example.org/",
            "orcid": "0000-0001-5109-3700",
            "openalex_id": "A1",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.summary == "Quantum fluids."
    assert record.open_to_collaborate is False
    assert record.links == [{"label": "Lab", "url": "https://lab.example.org/"}]
    assert record.display_name == "Ada Researcher"
    assert record.orcid == "0000-0002-1825-0097"
    assert record.openalex_id != "A1"
    assert AuditEvent.objects.filter(action="record_edited", actor=owner).exists()


def test_a_user_without_a_record_cannot_open_the_edit_page(client, stranger):
    client.force_login(stranger)
    assert client.get(reverse("claims:record_edit")).status_code == 404


# Pages ---------------------------------------------------------------------------------------


def test_only_the_claimant_and_staff_see_a_claims_evidence(
    client, owner, stranger, staff_reviewer, record
):
    claim = ClaimFactory(researcher=record, claimant=owner, note="My secret evidence")
    url = reverse("claims:detail", args=[claim.pk])
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert "My secret evidence" in client.get(url).content.decode()
    client.force_login(staff_reviewer)
    page = client.get(url).content.decode()
    assert "My secret evidence" in page
    assert "Approve claim" in page


def test_the_review_queue_lists_open_claims_for_staff_only(
    client, owner, stranger, staff_reviewer, django_assert_max_num_queries
):
    for _ in range(5):
        ClaimFactory(claimant=owner)
    client.force_login(stranger)
    assert client.get(reverse("claims:review_queue")).status_code == 404
    client.force_login(staff_reviewer)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("claims:review_queue"))
    assert response.content.decode().count("/claims/") >= 5


def test_the_admin_approves_through_the_action(client, owner, staff_reviewer, record):
    claim = ClaimFactory(researcher=record, claimant=owner)
    client.force_login(staff_reviewer)
    response = client.post(
        "/admin/claims/claim/",
        {"action": "approve_selected", "_selected_action": [claim.pk]},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.owner == owner
    assert AuditEvent.objects.filter(claim=claim, action="claim_approved").exists()


# Abuse limits --------------------------------------------------------------------------------


def test_a_user_opens_at_most_the_daily_number_of_claims(owner, settings):
    settings.BZPEER_CLAIMS_PER_DAY = 2
    for _ in range(2):
        claim = actions.submit_claim(owner, ResearcherFactory(), "other", note="me")
        actions.withdraw_claim(claim, owner)
    with pytest.raises(actions.ClaimError, match="at most 2 claims in 24 hours"):
        actions.submit_claim(owner, ResearcherFactory(), "other", note="me")


def test_the_link_cannot_be_resent_within_the_cooldown(
    client, owner, record, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _submit_email_claim(client, owner, record)
    claim = Claim.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("claims:resend_email", args=[claim.pk]))
    assert len(mail.outbox) == 1
    assert claim.events.filter(action="claim_email_sent").count() == 1


def test_the_claim_form_names_the_institution_domains_and_the_orcid_state(client, owner, record):
    client.force_login(owner)
    html = client.get(reverse("claims:start", args=[record.pk])).content.decode()
    assert "bangor.ac.uk" in html
    assert "ORCID sign-in is not set up on this site." in html
    connect_orcid(owner, "0000-0002-1825-0097")
    html = client.get(reverse("claims:start", args=[record.pk])).content.decode()
    assert "You signed in with ORCID 0000-0002-1825-0097" in html


def test_the_claim_form_of_a_claimed_record_sends_back_to_the_profile(
    client, owner, stranger, record
):
    record.owner = owner
    record.save()
    client.force_login(stranger)
    response = client.get(reverse("claims:start", args=[record.pk]))
    assert response["Location"] == record.get_absolute_url()


# The form's errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field_id", "words"),
    [
        ({}, "id_evidence_orcid", "Choose your evidence"),
        ({"evidence": "email"}, "id_institutional_email", "Institutional address: give your"),
        (
            {"evidence": "email", "institutional_email": "ada@"},
            "id_institutional_email",
            "Institutional address: enter a whole address",
        ),
        (
            {"evidence": "email", "institutional_email": "ada@elsewhere.example"},
            "id_institutional_email",
            "That address is not at this record",
        ),
        ({"evidence": "other"}, "id_note", "Note: say why this record is yours"),
        ({"evidence": "other", "note": "me", "link_2": "not a url"}, "id_link_2", "Link 2: "),
    ],
)
def test_each_claim_form_error_names_its_field_and_links_to_it(
    client, owner, record, data, field_id, words
):
    client.force_login(owner)
    response = client.post(reverse("claims:start", args=[record.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." not in body
    summary = body[body.index('class="form-error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert f'<a href="#{field_id}">{words}' in summary
    assert not Claim.objects.exists()


def test_the_address_field_is_off_when_the_email_option_is(client, owner):
    from tests.factories import ResearcherFactory

    nowhere = ResearcherFactory(display_name="No Institution")
    client.force_login(owner)
    body = client.get(reverse("claims:start", args=[nowhere.pk])).content.decode()
    assert re.search(r'<input type="radio" name="evidence" value="email"[^>]* disabled', body)
    assert re.search(r'<input type="email" name="institutional_email"[^>]* disabled', body)
