"""Claim by institutional email, staff approval, and an invitation answered, in Chromium."""

import pytest

from claims.models import Claim, Invitation
from tests.accounts.steps import last_link_in_outbox, sign_in, sign_out
from tests.factories_claims import verify_email
from works.models import Researcher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_claim_by_institutional_email_then_staff_approve(
    page, live_server, settings, owner, staff_reviewer, record
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Emails link to the site's address; here the site is the test server.
    settings.BZPEER_SITE_URL = live_server.url
    verify_email(owner)
    verify_email(staff_reviewer)
    sign_in(page, live_server, owner.email, "pw-123456!", record.get_absolute_url())
    page.get_by_role("link", name="Claim this record").click()
    page.check("input[name=evidence][value=email]")
    page.fill("input[name=institutional_email]", "ada@bangor.ac.uk")
    page.get_by_role("button", name="Submit claim").click()
    page.wait_for_selector("text=We sent a confirmation link to ada@bangor.ac.uk")

    # The link opened signed out (another browser, say): the sign-in page says why, and signing
    # in comes back to the link, which names the address and the record.
    sign_out(page)
    page.goto(last_link_in_outbox(r"http://[^\s]+/claims/confirm-email/[^\s]+/"))
    page.get_by_text("Sign in with the account you claimed the record from").wait_for()
    page.fill("input[name=login]", owner.email)
    page.fill("input[name=password]", "pw-123456!")
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.get_by_text("Confirm that ada@bangor.ac.uk is your address").wait_for()
    assert page.locator("main").get_by_role("link", name=record.display_name).is_visible()
    page.get_by_role("button", name="Confirm ada@bangor.ac.uk").click()
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
    record.open_to_collaborate = True  # the owner invites collaboration
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


@pytest.mark.parametrize("width", [1280, 390])
def test_the_claim_form_names_the_missing_field_and_takes_you_to_it(
    page, live_server, owner, record, width
):
    verify_email(owner)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, owner.email, "pw-123456!", f"/researchers/{record.pk}/claim/")
    page.check("input[name=evidence][value=email]")
    page.get_by_role("button", name="Submit claim").click()
    summary = page.get_by_role("alert")
    link = summary.get_by_role("link", name="Institutional address: give your address")
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_institutional_email"
    address = page.get_by_label("Institutional address")
    assert address.is_enabled() and address.get_attribute("aria-invalid") == "true"


def test_the_address_field_is_disabled_with_its_option(page, live_server, owner):
    from tests.factories import ResearcherFactory

    verify_email(owner)
    nowhere = ResearcherFactory(display_name="No Institution")
    sign_in(page, live_server, owner.email, "pw-123456!", f"/researchers/{nowhere.pk}/claim/")
    assert page.get_by_label("Institutional email").is_disabled()
    assert page.get_by_label("Institutional address").is_disabled()
