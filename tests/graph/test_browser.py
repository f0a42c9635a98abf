"""In Chromium: the slice loads into the profile page; the explorer renders, expands, filters."""

import pytest

from graph.actions import refresh_researchers
from profiles.models import Researcher
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def roberts_stranger(mearman):
    """Someone only Jonathan Roberts wrote with: expanding Roberts brings them in."""
    roberts = Researcher.objects.get(openalex_id="A5009341822")
    stranger = ResearcherFactory(display_name="Only Roberts knows me")
    for _ in range(3):
        work = WorkFactory()
        AuthorshipFactory(work=work, researcher=roberts, order=0)
        AuthorshipFactory(work=work, researcher=stranger, order=1)
    refresh_researchers([stranger.pk])
    return roberts, stranger


def test_the_slice_loads_into_the_profile_page(live_server, page, mearman):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/researchers/{mearman.pk}/")
    loaded = page.locator("#graph-slice.graph-slice--loaded")
    loaded.wait_for()
    assert "Building this graph slice" not in loaded.inner_text()
    assert loaded.get_by_role("link", name="Jonathan C. Roberts").first.is_visible()
    assert loaded.locator("svg circle").count() > 10
    # The section's own link, once: the slice does not repeat it.
    assert page.get_by_role("link", name="Open full explorer").count() == 1
    assert not [e for e in errors if "Content Security Policy" in e]


def node_count(page, selector: str = "") -> int:
    return page.evaluate(f"window.bzpeerGraph.nodes({selector!r}).length")


def test_the_explorer_renders_expands_on_click_and_filters_by_type(
    live_server, page, mearman, roberts_stranger
):
    roberts, stranger = roberts_stranger
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/researchers/{mearman.pk}/graph/")
    page.locator("#graph-explorer[data-ready=true]").wait_for()
    assert page.locator("#graph-canvas canvas").count() >= 1
    before = node_count(page)
    assert before >= 1 + 17 + 8  # him, his co-authors, his papers, ...
    assert node_count(page, f"[id = 'researcher:{stranger.pk}']") == 0

    # Click Roberts's node on the canvas (a tall window keeps the whole canvas on screen).
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.locator("#graph-canvas").scroll_into_view_if_needed()
    box = page.locator("#graph-canvas").bounding_box()
    position = page.evaluate(
        f"window.bzpeerGraph.getElementById('researcher:{roberts.pk}').renderedPosition()"
    )
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    page.locator("#graph-node-list").get_by_text("Only Roberts knows me").wait_for()
    assert node_count(page, f"[id = 'researcher:{stranger.pk}']") == 1
    assert node_count(page) > before
    assert page.locator("#graph-selection").get_by_text("Jonathan C. Roberts").is_visible()

    # Hide the topics.
    topics = node_count(page, "[type = 'topic']")
    assert topics > 0
    assert page.evaluate("window.bzpeerGraph.nodes('[type = \"topic\"]:visible').length") == topics
    page.locator("#graph-controls").get_by_label("Topics").uncheck()
    assert page.evaluate("window.bzpeerGraph.nodes('[type = \"topic\"]:visible').length") == 0
    assert page.evaluate("window.bzpeerGraph.nodes('[type = \"work\"]:visible').length") > 0
    assert page.locator("#graph-node-list li:visible .graph-kind--topic").count() == 0
    assert not [e for e in errors if "Content Security Policy" in e]


def test_the_explorer_works_from_the_keyboard_list(live_server, page, mearman, roberts_stranger):
    _, stranger = roberts_stranger
    page.goto(f"{live_server.url}/researchers/{mearman.pk}/graph/")
    page.locator("#graph-explorer[data-ready=true]").wait_for()
    expand = page.get_by_role("button", name="Expand the neighbours of Jonathan C. Roberts")
    expand.focus()
    page.keyboard.press("Enter")
    page.locator("#graph-node-list").get_by_text("Only Roberts knows me").wait_for()
    assert node_count(page, f"[id = 'researcher:{stranger.pk}']") == 1
    # The year filter hides works outside the range.
    page.fill("#graph-year-from", "2019")
    page.fill("#graph-year-to", "2019")
    visible_years = page.evaluate(
        "window.bzpeerGraph.nodes('[type = \"work\"]:visible').map(n => n.data('year'))"
    )
    assert visible_years and set(visible_years) <= {2019}


def test_the_explorer_page_shows_the_lists_without_javascript(live_server, browser, mearman):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/researchers/{mearman.pk}/graph/")
    fallback = page.locator("#graph-fallback")
    assert fallback.get_by_role("link", name="Jonathan C. Roberts").is_visible()
    assert fallback.get_by_text("Augmented Reality Applications").is_visible()
    assert not page.locator("#graph-canvas").is_visible()
    context.close()
