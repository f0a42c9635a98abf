"""The profile page in a real browser: sections render, the CSP holds, it works on a phone."""

import tempfile
from pathlib import Path

import pytest

from tests.factories import AuthorshipFactory, InstitutionFactory, ResearcherFactory, WorkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots to look at after a run (the lead and designers iterate on the look with them).
SCREENSHOTS = Path(tempfile.gettempdir())

SECTION_HEADINGS = [
    "Trust snapshot",
    "Actions",
    "Identity and collaboration",
    "Direct collaboration",
    "Research graph",
    "Published work",
]


@pytest.fixture
def profile():
    bangor = InstitutionFactory(display_name="Bangor University")
    researcher = ResearcherFactory(
        display_name="Joseph Mearman", last_known_institution=bangor, trust_score=21
    )
    colleague = ResearcherFactory(display_name="Panagiotis D. Ritsos")
    for i in range(3):
        work = WorkFactory(
            title=f"Immersive analytics {i}",
            publication_year=2016 + i,
            abstract="We study immersive analytics. " * 30,
        )
        AuthorshipFactory(work=work, researcher=researcher, order=0)
        AuthorshipFactory(work=work, researcher=colleague, order=1)
    return researcher


def test_the_profile_page_renders_every_section_without_csp_errors(live_server, page, profile):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(live_server.url + profile.get_absolute_url())

    assert page.locator("h1").inner_text() == "Joseph Mearman"
    for heading in SECTION_HEADINGS:
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    assert page.get_by_text("Bangor University").first.is_visible()
    assert page.get_by_text("Trust 21 \u2013 Emerging").is_visible()
    assert page.get_by_text("3 published works").is_visible()
    assert page.locator("li.work").count() == 3
    assert page.get_by_role("link", name="Panagiotis D. Ritsos").first.is_visible()
    explorer = page.locator("#research-graph .section-head").get_by_role(
        "link", name="Open full explorer"
    )
    assert explorer.get_attribute("href") == f"/researchers/{profile.pk}/graph/"
    # The stylesheet loaded (cards have a white background, not the default transparent).
    background = page.locator(".profile-header").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background == "rgb(255, 255, 255)"
    page.screenshot(path=SCREENSHOTS / "profile.png", full_page=True)
    # No inline style or script was blocked, nothing failed to load.
    assert [p for p in problems if "favicon" not in p] == []


def test_a_long_abstract_opens_when_its_summary_is_clicked(live_server, page, profile):
    page.goto(live_server.url + profile.get_absolute_url())
    details = page.locator("details.work__abstract").first
    full_text = details.locator("p")
    assert not full_text.is_visible()

    details.locator("summary").click()

    assert full_text.is_visible()
    assert details.get_by_text("Hide full abstract").is_visible()


def test_the_skip_link_moves_focus_to_the_main_content(live_server, page, profile):
    page.goto(live_server.url + profile.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_the_page_fits_a_phone_screen(live_server, browser, profile):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    phone = context.new_page()
    try:
        phone.goto(live_server.url + profile.get_absolute_url())
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        assert phone.get_by_role("heading", name="Published work").is_visible()
        phone.screenshot(path=SCREENSHOTS / "profile-phone.png", full_page=True)
    finally:
        context.close()
