"""Sign up and verify the email address from the test mailbox, in Chromium."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.accounts.steps import last_link_in_outbox, wait_until_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_and_verify_email(page, live_server, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Your name").fill("Ada Newcomer")
    page.fill("input[name=email]", "newcomer@example.org")
    page.fill("input[name=password1]", "a-Long-unusual-passphrase-42")
    page.fill("input[name=password2]", "a-Long-unusual-passphrase-42")
    page.locator("form[action='/accounts/signup/'] button[type=submit]").click()
    page.wait_for_selector("text=Verify your email address")
    assert mail.outbox[-1].to == ["newcomer@example.org"]

    # The email links to the configured site address; open the same path on the test server.
    link = last_link_in_outbox(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/")
    page.goto(live_server.url + "/accounts/" + link.split("/accounts/", 1)[1])
    page.locator("main form button[type=submit]").click()
    wait_until_signed_in(page)
    assert EmailAddress.objects.get(email="newcomer@example.org").verified
    # The header names the person as they asked, not by the username allauth made up.
    assert page.locator(".account-menu__name").inner_text() == "Ada Newcomer"
