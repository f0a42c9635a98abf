"""Claim by institutional email, staff approval, and an invitation answered, in Chromium."""

import pytest

from claims.models import Claim, Invitation
from profiles.models import Researcher
from tests.accounts.steps import last_link_in_outbox, sign_in, sign_out
from tests.factories_claims import verify_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_claim_by_institutional_email_then_staff_approve(
    page, live_server, settings, owner, staff_reviewer, record
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    verify_email(owner)
    verify_email(staff_reviewer)
    sign_in(page, live_server, owner.email, "pw-123456!", record.get_absolute_url())
    page.get_by_role("link", name="Claim this record").click()
    page.check("input[name=evidence][value=email]")
    page.fill("input[name=institutional_email]", "ada@bangor.ac.uk")
    page.get_by_role("button", name="Submit claim").click()
    page.wait_for_selector("text=We sent a confirmation link to ada@bangor.ac.uk")

    page.goto(last_link_in_outbox(r"http://[^\s]+/claims/confirm-email/[^\s]+/"))
    page.get_by_role("button", name="Confirm address").click()
    page.wait_for_selector("text=waiting for staff review")
    claim = Claim.objects.get()
    assert claim.status == Claim.Status.PENDING

    sign_out(page)
    sign_in(page, live_server, staff_reviewer.email, "pw-123456!", "/staff/claims/")
    page.get_by_role("link", name=record.display_name).click()
    page.get_by_text("ada@bangor.ac.uk").first.wait_for()
    page.get_by_role("button", name="Approve claim").click()
    page.wait_for_selector("text=Approved")

    page.goto(f"{live_server.url}{record.get_absolute_url()}")
    identity = page.locator("#identity-section")
    identity.get_by_text("Claimed author").wait_for()
    assert "L3" in identity.locator(".verification-level").inner_text()
    record.refresh_from_db()
    assert record.owner == owner
    assert record.verification_level == Researcher.Level.CLAIMED


def test_send_an_invitation_and_answer_it(page, live_server, owner, stranger, record):
    verify_email(owner)
    verify_email(stranger)
    record.owner = owner
    record.save()
    sign_in(page, live_server, stranger.email, "pw-123456!", record.get_absolute_url())
    form = page.locator("#collaboration-section")
    form.get_by_label("Subject").fill("Superfluid helium")
    form.get_by_label("Message").fill("Shall we compare simulations?")
    form.get_by_role("button", name="Send invitation").click()
    page.wait_for_selector("text=Invitation sent.")

    sign_out(page)
    sign_in(page, live_server, owner.email, "pw-123456!", "/invitations/")
    page.get_by_role("link", name="Superfluid helium").click()
    page.get_by_text("Shall we compare simulations?").wait_for()
    page.get_by_role("button", name="Accept").click()
    page.wait_for_selector("[data-invitation-status=accepted]")
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED

    sign_out(page)
    sign_in(page, live_server, stranger.email, "pw-123456!", "/notifications/")
    page.get_by_text("accepted your invitation").wait_for()
