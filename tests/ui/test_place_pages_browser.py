"""Institution and topic pages in a browser, on a desktop and a phone: reached from the profile
by clicking, readable at both widths, and without serious accessibility violations (axe-core).
Screenshots go to test-artifacts/screenshots/ like the other pages'."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.ui.conftest import SCREENSHOTS, WIDTHS, open_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}
AXE = Axe()


@pytest.fixture
def recorded(db):
    from graph.actions import refresh_researchers
    from tests.search.recorded import import_recorded
    from works.models import Researcher

    mearman = import_recorded()
    refresh_researchers(Researcher.objects.values_list("pk", flat=True))
    return mearman


def _check(page, name: str, width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-visitor-{width}.png", full_page=True)
    # Nothing wider than the window: a phone reader never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    serious = [v for v in AXE.run(page).response["violations"] if v["impact"] in SERIOUS]
    assert not serious, "\n".join(f"{v['id']}: {v['help']}" for v in serious)


@pytest.mark.parametrize("width", WIDTHS)
def test_institution_page_from_the_profile_chip(browser, live_server, recorded, width):
    context, page = open_as(browser, live_server, None, width)
    try:
        page.goto(live_server.url + recorded.get_absolute_url())
        page.locator(".profile-header .chip--place a").click()
        page.wait_for_url("**/institutions/*/")

        assert page.title() == "\u2068Bangor University\u2069: researchers and topics · bzpeer"
        assert page.get_by_role("heading", level=1).inner_text() == "Bangor University"
        people = page.get_by_test_id("institution-people").locator(".researcher-row")
        assert people.count() == 8
        assert people.first.locator(".researcher-row__name").inner_text() == "Joseph Mearman"
        _check(page, "institution", width)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_topic_page_walks_up_the_hierarchy(browser, live_server, recorded, width):
    from works.models import Topic

    topic = Topic.objects.get(openalex_id="T10888")
    context, page = open_as(browser, live_server, None, width)
    try:
        page.goto(f"{live_server.url}/topics/{topic.pk}/")
        hierarchy = page.get_by_test_id("topic-hierarchy")
        assert hierarchy.locator("li").count() == 4
        _check(page, "topic", width)

        # Up one level, to the subfield, which links back down to the topic.
        hierarchy.get_by_role("link", name="Computer Vision and Pattern Recognition").click()
        page.wait_for_url("**/topics/*/")
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Computer Vision and Pattern Recognition"
        )
        page.get_by_test_id("topic-children").get_by_role(
            "link", name="Augmented Reality Applications"
        ).click()
        page.wait_for_url(f"**/topics/{topic.pk}/")
    finally:
        context.close()
