"""Following from the profile page: the button and the followers tile change without a reload,
and a signed-out visitor who presses Follow ends up following once signed in."""

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
    box = page.locator(f"#follow-button-{researcher.pk}")
    tile = page.locator(f"#followers-stat-{researcher.pk}")
    assert tile.inner_text().split() == ["0", "followers"]
    # A marker on the window survives only if the page is not reloaded.
    page.evaluate("window.__noReload = true")

    box.get_by_role("button", name="Follow Maosong Sun").click()
    page.get_by_role("button", name="Unfollow Maosong Sun").wait_for()
    assert page.get_by_text("You follow Maosong Sun.").is_visible()
    assert page.get_by_role("button", name="Follow Maosong Sun", exact=True).count() == 0
    assert tile.inner_text().split() == ["1", "follower"]
    assert page.evaluate("window.__noReload") is True
    assert Follow.objects.filter(user=follower, researcher=researcher).exists()

    page.get_by_role("button", name="Unfollow Maosong Sun").click()
    page.get_by_role("button", name="Follow Maosong Sun", exact=True).wait_for()
    assert tile.inner_text().split() == ["0", "followers"]
    assert page.evaluate("window.__noReload") is True
    assert not Follow.objects.exists()


def test_a_visitor_who_presses_follow_is_following_after_signing_in(page, live_server, follower):
    verify_email(follower)
    researcher = ResearcherFactory(display_name="Maosong Sun")
    page.goto(f"{live_server.url}{researcher.get_absolute_url()}")
    page.get_by_role("link", name="Follow Maosong Sun").click()

    page.fill("input[name=login]", follower.email)
    page.fill("input[name=password]", "pw-123456!")
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    # Back from sign-in: the follow is one press away, and nothing happened on the way.
    page.get_by_role("heading", name="Follow Maosong Sun?").wait_for()
    assert not Follow.objects.exists()

    page.get_by_role("button", name="Follow Maosong Sun").click()
    page.wait_for_url(f"{live_server.url}{researcher.get_absolute_url()}")
    assert page.get_by_text("You follow Maosong Sun.").is_visible()
    assert Follow.objects.filter(user=follower, researcher=researcher).exists()
