"""The Cite control in a real browser, on a desktop and on a phone-sized window."""

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import SCREENSHOTS
from works.models import Work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)


@pytest.mark.parametrize("width", WIDTHS)
def test_citing_a_work_in_apa_shows_the_formatted_text_in_place(live_server, page, mearman, width):
    heritage = Work.objects.get(doi="10.1145/2795233")
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.set_viewport_size({"width": width, "height": 900})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + mearman.get_absolute_url())
    profile_url = page.url
    row = page.locator(f"#work-{heritage.pk}")

    row.locator("summary.cite__toggle").click()
    row.get_by_role("link", name="APA").click()

    text = row.locator(".citation__text")
    text.wait_for()
    citation = text.inner_text()
    assert citation.startswith("Miles, H. C., Wilson, A. T.")
    assert "(2015)" in citation
    assert "Heritage Data" in citation
    # Loaded in place: the page did not navigate to the plain-text citation.
    assert page.url == profile_url
    # Nothing is wider than the window, the phone's included.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    row.screenshot(path=SCREENSHOTS / f"cite-{width}.png")

    row.get_by_role("button", name="Copy the APA citation").click()

    # The copy is asynchronous: wait for the status it writes when done.
    expect(row.locator(".citation__status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == citation
    assert [p for p in problems if "favicon" not in p] == []


def test_without_javascript_a_style_link_opens_the_citation_as_text(live_server, browser, mearman):
    heritage = Work.objects.get(doi="10.1145/2795233")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + mearman.get_absolute_url())
        row = page.locator(f"#work-{heritage.pk}")
        row.locator("summary.cite__toggle").click()
        row.get_by_role("link", name="Vancouver").click()

        page.wait_for_url(f"**/works/{heritage.pk}/cite/?style=vancouver")
        assert page.locator("body").inner_text().startswith("Miles HC, Wilson AT")
    finally:
        context.close()
