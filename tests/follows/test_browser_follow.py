"""Following from the profile page updates the button and the count without a reload."""

import pytest

from follows.models import Follow
from tests.accounts.steps import sign_in
from tests.factories import ResearcherFactory
from tests.factories_claims import verify_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_follow_and_unfollow_in_place(page, live_server, follower):
    verify_email(follower)
    researcher = ResearcherFactory(display_name="Maosong Sun")
    sign_in(page, live_server, follower.email, "pw-123456!", researcher.get_absolute_url())
    page.wait_for_selector("text=Follow researcher")
    button = page.locator(f"#follow-button-{researcher.pk}")
    assert button.locator("[data-followers-count]").inner_text() == "0"
    # A marker on the window survives only if the page is not reloaded.
    page.evaluate("window.__noReload = true")

    button.get_by_role("button", name="Follow researcher").click()
    page.wait_for_selector(f"#follow-button-{researcher.pk} button[aria-pressed=true]")
    assert (
        page.locator(f"#follow-button-{researcher.pk} [data-followers-count]").inner_text() == "1"
    )
    assert page.evaluate("window.__noReload") is True
    assert Follow.objects.filter(user=follower, researcher=researcher).exists()

    page.locator(f"#follow-button-{researcher.pk} button").click()
    page.wait_for_selector(f"#follow-button-{researcher.pk} button[aria-pressed=false]")
    assert (
        page.locator(f"#follow-button-{researcher.pk} [data-followers-count]").inner_text() == "0"
    )
    assert page.evaluate("window.__noReload") is True
    assert not Follow.objects.exists()
