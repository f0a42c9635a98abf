"""Typing in the search box shows results without submitting the form (htmx)."""

import pytest

from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_results_appear_while_typing(page, live_server):
    mearman = ResearcherFactory(
        display_name="Joseph Mearman", display_name_alternatives=["J. W. Mearman"]
    )
    ResearcherFactory(display_name="Frédéric Labrosse")
    AuthorshipFactory(researcher=mearman, work=WorkFactory(title="Tangible papercraft"))
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/search/")
    # A marker on the window survives only if the page is not reloaded.
    page.evaluate("window.__noReload = true")
    page.locator("#search-q").press_sequentially("mearman j", delay=40)

    results = page.locator("#search-results")
    results.get_by_role("link", name="Joseph Mearman").wait_for()
    assert "Labrosse" not in results.inner_text()
    assert page.evaluate("window.__noReload") is True
    assert "q=mearman" in page.url  # hx-push-url keeps the address shareable

    page.locator("#search-q").fill("")
    page.locator("#search-q").press_sequentially("frederic", delay=40)
    results.get_by_role("link", name="Frédéric Labrosse").wait_for()
    assert "Joseph Mearman" not in results.inner_text()
    assert page.evaluate("window.__noReload") is True
    assert not [e for e in errors if "Content Security Policy" in e and "script" in e]


def test_the_form_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        ResearcherFactory(display_name="Joseph Mearman")
        page.goto(f"{live_server.url}/search/")
        page.locator("#search-q").fill("Mearman J")
        page.locator("#search-q").press("Enter")
        page.wait_for_url("**/search/?q=Mearman+J")
        assert page.get_by_role("link", name="Joseph Mearman").count() == 1
    finally:
        context.close()
