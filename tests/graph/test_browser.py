"""In Chromium: the slice loads into the profile page; the explorer renders, expands, filters."""

import pytest
from playwright.sync_api import expect

from graph.actions import refresh_researchers
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from works.models import Researcher

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
    assert "Loading them into this page" not in loaded.inner_text()
    assert loaded.get_by_role("link", name="Jonathan C. Roberts").first.is_visible()
    assert loaded.locator("svg circle").count() > 10
    # The section's own link, once: the slice does not repeat it.
    assert page.get_by_role("link", name="Open full explorer").count() == 1
    assert not [e for e in errors if "Content Security Policy" in e]


# The explorer redraws after the event that asks for it (an expansion after its fetch), so every
# check that follows an action first waits for the state it checks, up to this long.
WAIT = 10_000


def node_count(page, selector: str = "") -> int:
    return page.evaluate(f"window.bzpeerGraph.nodes({selector!r}).length")


def wait_for_graph(page, condition: str) -> None:
    """Wait until ``condition``, JavaScript over the graph as ``cy``, holds."""
    page.wait_for_function(f"() => {{ const cy = window.bzpeerGraph; return {condition}; }}")


def visible_work_years(page) -> list:
    return page.evaluate(
        "window.bzpeerGraph.nodes('[type = \"work\"]:visible').map(n => n.data('year'))"
    )


def wait_for_years(page, low: int, high: int) -> None:
    """Wait until the works shown are all, and only, those of ``low`` to ``high``."""
    wait_for_graph(
        page,
        "cy.nodes('[type = \"work\"]').length > 0 && cy.nodes('[type = \"work\"]')"
        f".every(n => n.visible() === (n.data('year') >= {low} && n.data('year') <= {high}))",
    )


def test_the_explorer_renders_expands_on_click_and_filters_by_type(
    live_server, page, mearman, roberts_stranger
):
    roberts, stranger = roberts_stranger
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # A window tall enough for the whole canvas (70vh, below the header), set before the drawing
    # is laid out: the drawing learns of a later resize or scroll only after a debounce or a
    # frame, so a click right after one can land on a stale map of the canvas.
    page.set_viewport_size({"width": 1280, "height": 2200})
    page.goto(f"{live_server.url}/researchers/{mearman.pk}/graph/")
    page.locator("#graph-explorer[data-ready=true]").wait_for()
    assert page.locator("#graph-canvas canvas").count() >= 1
    before = node_count(page)
    assert before >= 1 + 17 + 8  # him, his co-authors, his papers, ...
    assert node_count(page, f"[id = 'researcher:{stranger.pk}']") == 0

    # Click Roberts's node on the canvas.
    box = page.locator("#graph-canvas").bounding_box()
    assert box["y"] + box["height"] <= 2200  # on screen: nothing scrolls between aim and click
    position = page.evaluate(
        f"window.bzpeerGraph.getElementById('researcher:{roberts.pk}').renderedPosition()"
    )
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    expect(page.locator("#graph-selection")).to_contain_text("Jonathan C. Roberts", timeout=WAIT)
    # The expansion is done (fetched, drawn, listed, filtered) when it counts itself.
    page.locator("#graph-explorer[data-expanded='1']").wait_for(state="attached")
    expect(page.locator("#graph-node-list").get_by_text("Only Roberts knows me")).to_be_visible(
        timeout=WAIT
    )
    assert node_count(page, f"[id = 'researcher:{stranger.pk}']") == 1
    assert node_count(page) > before

    # Hide the topics.
    topics = node_count(page, "[type = 'topic']")
    assert topics > 0
    assert node_count(page, "[type = 'topic']:visible") == topics
    page.locator("#graph-controls").get_by_label("Topics").uncheck()
    wait_for_graph(page, "cy.nodes('[type = \"topic\"]:visible').length === 0")
    assert node_count(page, "[type = 'work']:visible") > 0
    expect(page.locator("#graph-node-list li:visible .graph-kind--topic")).to_have_count(
        0, timeout=WAIT
    )
    assert not [e for e in errors if "Content Security Policy" in e]


def test_the_explorer_works_from_the_keyboard_list(live_server, page, mearman, roberts_stranger):
    _, stranger = roberts_stranger
    page.goto(f"{live_server.url}/researchers/{mearman.pk}/graph/")
    page.locator("#graph-explorer[data-ready=true]").wait_for()
    expand = page.get_by_role("button", name="Expand the neighbours of Jonathan C. Roberts")
    expand.focus()
    page.keyboard.press("Enter")
    page.locator("#graph-explorer[data-expanded='1']").wait_for(state="attached")
    expect(page.locator("#graph-node-list").get_by_text("Only Roberts knows me")).to_be_visible(
        timeout=WAIT
    )
    assert node_count(page, f"[id = 'researcher:{stranger.pk}']") == 1
    # The year filter hides works outside the range.
    page.fill("#graph-year-from", "2019")
    page.fill("#graph-year-to", "2019")
    wait_for_years(page, 2019, 2019)
    visible_years = visible_work_years(page)
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


def test_an_inverted_year_range_is_read_the_right_way_round_and_said_so(live_server, page, mearman):
    page.goto(f"{live_server.url}/researchers/{mearman.pk}/graph/")
    page.locator("#graph-explorer[data-ready=true]").wait_for()
    note = page.locator("#graph-year-note")
    expect(note).to_be_hidden()
    page.fill("#graph-year-from", "2030")
    page.fill("#graph-year-to", "2021")
    expect(note).to_have_text("“From” is after “to”, so this shows 2021 to 2030.", timeout=WAIT)
    expect(note).to_be_visible(timeout=WAIT)
    expect(page.locator("#graph-year-from")).to_have_attribute("aria-invalid", "true", timeout=WAIT)
    wait_for_years(page, 2021, 2030)
    years = visible_work_years(page)
    assert years and all(2021 <= y <= 2030 for y in years)
    expect(page.locator("#graph-status")).to_contain_text("for 2021 to 2030", timeout=WAIT)
    page.fill("#graph-year-from", "2014")
    expect(note).to_be_hidden(timeout=WAIT)
    expect(page.locator("#graph-year-from")).to_have_attribute(
        "aria-invalid", "false", timeout=WAIT
    )


def test_the_year_filter_hides_people_and_topics_with_no_paper_in_range(live_server, page, mearman):
    page.goto(f"{live_server.url}/researchers/{mearman.pk}/graph/")
    page.locator("#graph-explorer[data-ready=true]").wait_for()
    page.fill("#graph-year-from", "2019")
    page.fill("#graph-year-to", "2019")
    wait_for_years(page, 2019, 2019)
    # The list is filtered with the drawing, and the status line is written last.
    expect(page.locator("#graph-status")).to_contain_text("for 2019.", timeout=WAIT)
    visible = page.evaluate(
        """window.bzpeerGraph.nodes(':visible').map(n => ({
            id: n.id(), type: n.data('type'), depth: n.data('depth'),
            years: n.neighborhood('node[type = "work"]').map(w => w.data('year'))}))"""
    )
    by_type = {}
    for node in visible:
        by_type.setdefault(node["type"], []).append(node)
    assert by_type["work"] and by_type["topic"]
    for node in by_type["researcher"] + by_type["topic"]:
        assert node["depth"] == 0 or 2019 in node["years"], node
    hidden_people = page.evaluate(
        "window.bzpeerGraph.nodes('[type = \"researcher\"]:hidden').length"
    )
    assert hidden_people > 0
    # The list next to the drawing agrees.
    for item in page.locator("#graph-node-list li:visible").all():
        assert item.get_attribute("data-node") in {n["id"] for n in visible}


def test_the_most_connected_nodes_are_named_on_the_drawing(live_server, page, mearman):
    page.goto(f"{live_server.url}/researchers/{mearman.pk}/graph/")
    page.locator("#graph-explorer[data-ready=true]").wait_for()
    labelled = page.evaluate("window.bzpeerGraph.nodes('.labelled').map(n => n.id())")
    assert len(labelled) == 16 and f"researcher:{mearman.pk}" in labelled
    # Named at the drawing's own zoom: cytoscape draws a label when it is not hidden by zoom.
    assert page.evaluate(
        "window.bzpeerGraph.nodes('.labelled')"
        ".every(n => parseFloat(n.style('min-zoomed-font-size')) === 0)"
    )
    legend = page.locator("#graph-controls")
    assert legend.get_by_text("the 15 most connected nodes").is_visible()
    assert legend.locator(".graph-kind--work").is_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_slice_names_its_dots_adds_no_tab_stops_and_fills_a_phone(
    live_server, page, mearman, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/researchers/{mearman.pk}/")
    svg = page.locator("#graph-slice.graph-slice--loaded svg.graph-slice__svg")
    svg.wait_for()
    dots = svg.locator("circle.graph-slice__dot").count()
    labels = svg.locator("text.graph-slice__label").all_text_contents()
    assert dots > 10 and len(labels) == dots + 1  # every dot, and the researcher
    assert any("Jonathan C." in label for label in labels)
    assert svg.locator("a, [tabindex]").count() == 0
    # The names stay inside the drawing.
    box = svg.bounding_box()
    for text in svg.locator("text").all():
        t = text.bounding_box()
        assert box["x"] - 1 <= t["x"] and t["x"] + t["width"] <= box["x"] + box["width"] + 1
    if width == 390:
        assert box["width"] >= 0.75 * width  # most of the phone's width, not a thumbnail


def test_without_javascript_the_graph_parts_say_what_to_do_instead(live_server, browser, mearman):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/researchers/{mearman.pk}/")
        slice_ = page.locator("#graph-slice")
        assert not slice_.get_by_text("Loading them into this page").is_visible()
        note = slice_.get_by_text("needs JavaScript, which your browser is not running")
        assert note.is_visible()
        slice_.get_by_role("link", name="See the nearby papers").click()
        page.wait_for_url(f"**/researchers/{mearman.pk}/graph/slice/")
        page.goto(f"{live_server.url}/researchers/{mearman.pk}/graph/")
        assert page.get_by_text("The interactive drawing needs JavaScript").is_visible()
    finally:
        context.close()
