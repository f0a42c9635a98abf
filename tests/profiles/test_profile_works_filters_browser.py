"""Sorting and filtering a profile's works by clicking, in a real browser, on a desktop and on a
phone: htmx swaps the results in and puts the query in the address bar."""

from urllib.parse import parse_qs, urlparse

import pytest

from tests.profiles.test_profile_works_filters import (
    RITSOS,
    recorded_listed,
    recorded_matching,
    titles_by_citations,
)
from tests.search.recorded import import_recorded
from works.models import Researcher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mearman():
    return import_recorded()


@pytest.mark.parametrize("width", [1280, 390])
def test_sorting_and_filtering_by_clicking(live_server, browser, mearman, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        page.goto(live_server.url + mearman.get_absolute_url())
        results = page.locator("#works-results")
        titles = results.locator("h3.work__title")
        assert results.locator(".section-lede").inner_text() == "8 published works"

        page.get_by_label("Sort", exact=True).select_option(label="Most cited")
        page.wait_for_url("**sort=citations**")
        assert titles.all_inner_texts() == titles_by_citations(recorded_listed())

        ritsos = Researcher.objects.get(openalex_id=RITSOS)
        page.get_by_label("Co-author", exact=True).select_option(str(ritsos.pk))
        want = recorded_matching(coauthor=RITSOS)
        lede = results.locator(".section-lede")
        lede.get_by_text(f"{len(want)} of 8 works").wait_for()
        assert titles.all_inner_texts() == titles_by_citations(want)

        page.get_by_label("Year", exact=True).select_option("2014")
        want = recorded_matching(coauthor=RITSOS, year=2014)
        lede.get_by_text(f"{len(want)} of 8 works").wait_for()
        assert titles.all_inner_texts() == titles_by_citations(want)
        query = parse_qs(urlparse(page.url).query)
        assert query["sort"] == ["citations"] and query["year"] == ["2014"]
        assert query["coauthor"] == [str(ritsos.pk)]

        page.get_by_label("Search these works", exact=True).fill("papercraft")
        page.get_by_role("button", name="Apply").click()
        results.get_by_text("No works match").wait_for()
        assert titles.count() == 0

        results.get_by_role("link", name="Clear filters").click()
        page.wait_for_url(f"**{mearman.get_absolute_url()}#published-work")
        assert results.locator(".section-lede").inner_text() == "8 published works"

        # The controls fit the window: nothing scrolls sideways on a phone.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        assert problems == []
    finally:
        context.close()


def test_the_filters_work_without_javascript(live_server, browser, mearman):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + mearman.get_absolute_url())
        page.get_by_label("Year", exact=True).select_option("2014")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url("**year=2014**")
        want = recorded_matching(year=2014)
        lede = page.locator("#works-results .section-lede").inner_text()
        assert lede.startswith(f"{len(want)} of 8 works")
        assert page.locator("h3.work__title").count() == len(want)
    finally:
        context.close()
