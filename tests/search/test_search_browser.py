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


@pytest.fixture
def bangor_people(db):
    from tests.factories import InstitutionFactory

    bangor = InstitutionFactory(display_name="Bangor University")
    mearman = ResearcherFactory(display_name="Joseph Mearman", last_known_institution=bangor)
    ResearcherFactory(display_name="Frédéric Labrosse")
    return bangor, mearman


def test_the_home_box_shows_results_as_you_type_institutions_too(page, live_server, bangor_people):
    page.goto(f"{live_server.url}/")
    page.evaluate("window.__noReload = true")
    page.locator("#home-search-q").press_sequentially("Bangor University", delay=30)
    results = page.locator("#home-search-results")
    institutions = results.get_by_test_id("institution-results")
    institutions.get_by_role("link", name="Joseph Mearman").wait_for()
    assert "Bangor University" in institutions.inner_text()
    assert "Labrosse" not in results.inner_text()
    assert page.evaluate("window.__noReload") is True
    assert page.evaluate("document.activeElement.id") == "home-search-q"


def test_the_header_box_shows_results_as_you_type_on_any_page(page, live_server, bangor_people):
    _, mearman = bangor_people
    page.goto(f"{live_server.url}/researchers/{mearman.pk}/")
    page.evaluate("window.__noReload = true")
    page.locator("#site-search-q").press_sequentially("frederic", delay=30)
    page.locator("#search-results").get_by_role("link", name="Frédéric Labrosse").wait_for()
    assert page.evaluate("window.__noReload") is True
    assert "/search/?q=frederic" in page.url  # the address can be shared or bookmarked
    # The typing goes on where it was: focus stays in the header box.
    assert page.evaluate("document.activeElement.id") == "site-search-q"
    page.locator("#site-search-q").press_sequentially(" lab", delay=30)
    page.wait_for_url("**/search/?q=frederic%20lab")
    assert page.locator("#search-q").input_value() == "frederic lab"


def test_the_header_and_home_boxes_submit_without_javascript(browser, live_server, bangor_people):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        page.locator("#home-search-q").fill("Bangor University")
        page.locator("#home-search-q").press("Enter")
        page.wait_for_url("**/search/?q=Bangor+University")
        assert page.get_by_test_id("institution-results").get_by_text("Joseph Mearman").count()
        page.locator("#site-search-q").fill("Frederic")
        page.locator("#site-search-q").press("Enter")
        page.wait_for_url("**/search/?q=Frederic")
        assert page.get_by_role("link", name="Frédéric Labrosse").count() == 1
    finally:
        context.close()
