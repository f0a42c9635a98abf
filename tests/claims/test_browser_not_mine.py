"""The owner of the recorded Mearman record takes a work off it on /my-record/ ("Not mine") and
puts it back ("Undo") in Chromium: with htmx (the section swapped in place) at a desktop and a
phone width, and without JavaScript (plain forms that come back to the page with a message)."""

import pytest

from tests.accounts.steps import sign_in
from tests.factories_claims import verify_email
from tests.graph.conftest import mearman  # noqa: F401 (the recorded record, a fixture)
from works.models import Authorship, CurationLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Tangible papercraft visualisations for education"


@pytest.fixture
def owned(mearman, owner):  # noqa: F811
    mearman.owner = owner
    mearman.save(update_fields=["owner"])
    verify_email(owner)
    return mearman


def on_record(record) -> bool:
    return Authorship.objects.filter(researcher=record, work__title=TITLE).exists()


def assert_fits(page, width: int) -> None:
    """Nothing on the page is wider than the window."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def public_titles(browser, live_server, record) -> str:
    """The works on the record's profile as a signed-out visitor sees it (the cached page)."""
    context = browser.new_context()
    try:
        visitor = context.new_page()
        visitor.goto(f"{live_server.url}{record.get_absolute_url()}")
        return " | ".join(visitor.locator(".work").all_inner_texts())
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_owner_takes_a_work_off_their_record_and_puts_it_back(
    page, browser, live_server, owned, width
):
    assert TITLE in public_titles(browser, live_server, owned)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, owned.owner.email, "pw-123456!", "/my-record/")
    section = page.locator("#record-works")
    assert_fits(page, width)
    # htmx swaps the section in place: a mark on the window survives only if the page stays.
    page.evaluate("window.stillThisPage = true")

    section.get_by_role("button", name=f"Not mine: {TITLE}").click()
    page.locator("#record-works .notice").get_by_text("Removed from your record").wait_for()
    removed = page.locator("#record-works").get_by_role("button", name=f"Undo: {TITLE}")
    assert removed.is_visible()
    assert (
        page.locator("#record-works").get_by_role("button", name=f"Not mine: {TITLE}").count() == 0
    )
    assert page.evaluate("window.stillThisPage === true")
    assert_fits(page, width)
    box = removed.bounding_box()
    assert box["x"] + box["width"] <= width
    assert not on_record(owned)
    assert CurationLog.objects.filter(action=CurationLog.Action.NOT_MINE).count() == 1
    assert TITLE not in public_titles(browser, live_server, owned)

    removed.click()
    page.locator("#record-works .notice").get_by_text("Back on your record.").wait_for()
    section = page.locator("#record-works")
    assert section.get_by_role("button", name=f"Not mine: {TITLE}").is_visible()
    assert section.get_by_role("button", name=f"Undo: {TITLE}").count() == 0
    assert section.get_by_text("Removed from your record").count() == 0
    assert page.evaluate("window.stillThisPage === true")
    assert on_record(owned)
    assert TITLE in public_titles(browser, live_server, owned)


def test_without_javascript_the_buttons_are_plain_forms(browser, live_server, owned):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, owned.owner.email, "pw-123456!", "/my-record/")
        page.locator("#record-works").get_by_role("button", name=f"Not mine: {TITLE}").click()
        page.locator(".messages").get_by_text("Removed from your record").wait_for()
        assert page.url.endswith("/my-record/?works_page=1#record-works")
        undo = page.locator("#record-works").get_by_role("button", name=f"Undo: {TITLE}")
        assert undo.is_visible()
        assert not on_record(owned)
        assert TITLE not in public_titles(browser, live_server, owned)
        assert_fits(page, 390)

        undo.click()
        page.locator(".messages").get_by_text("Back on your record.").wait_for()
        assert (
            page.locator("#record-works").get_by_role("button", name=f"Undo: {TITLE}").count() == 0
        )
        assert on_record(owned)
        assert TITLE in public_titles(browser, live_server, owned)
    finally:
        context.close()
