"""The link from a profile's work to its page here, in a real browser on a phone: it fits the
screen, it is found by its accessible name, and it leads to the works held here that cite it."""

import pytest

from tests.search.recorded import PREPRINT, import_recorded
from works.models import Work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_on_a_phone_a_row_leads_to_the_works_here_that_cite_it(live_server, browser):
    mearman = import_recorded()
    cited = Work.objects.get(openalex_id="W2250748100")
    preprint = Work.objects.get(openalex_id=PREPRINT)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(live_server.url + mearman.get_absolute_url())
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        link = page.get_by_role("link", name=f"Cited by 1 work in bzpeer ({cited.title})")
        assert link.is_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

        link.click()

        page.wait_for_url(f"**/works/{cited.pk}/")
        citing = page.locator("section[aria-labelledby=cited-by-heading]")
        assert citing.get_by_role("link", name=preprint.title).is_visible()
    finally:
        context.close()
