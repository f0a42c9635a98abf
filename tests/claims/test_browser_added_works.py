"""The owner adds a missing work on /my-record/ in Chromium, OpenAlex answering with its recorded
response (``responses`` stands in for it in the live server's threads too)."""

import json
import re

import pytest
import responses

from tests.accounts.steps import sign_in
from tests.conftest import OPENALEX
from tests.factories_claims import verify_email
from tests.works import imports_replay as replay
from works.importers.openalex import import_author, import_works
from works.models import Authorship, Researcher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORK_BY_DOI = re.compile(r"https://api\.openalex\.org/works/doi")


@pytest.fixture
def upstream():
    with replay.eager_tasks(), responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(WORK_BY_DOI, json=json.loads((OPENALEX / "work-W2741809807.json").read_text()))
        yield rsps


@pytest.mark.parametrize("width", [1280, 390])
def test_the_owner_adds_a_work_by_doi_and_sees_it_marked_on_their_profile(
    page, live_server, owner, upstream, width
):
    import_author(json.loads((OPENALEX / "author-A5017898742.json").read_text()))
    import_works(replay.all_works())
    record = Researcher.objects.get(openalex_id="A5017898742")
    Researcher.objects.filter(pk=record.pk).update(owner=owner)
    verify_email(owner)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, owner.email, "pw-123456!", "/my-record/")
    section = page.locator("#record-add-work")
    section.get_by_label("DOI").fill("https://doi.org/10.7717/PEERJ.4375")
    section.get_by_role("button", name="Add work").click()

    notice = page.locator("#record-add-work .notice")
    notice.wait_for()
    assert notice.inner_text().startswith("Added The state of OA")
    assert Authorship.objects.get(work__doi="10.7717/peerj.4375", researcher=record).added_by_owner
    # The form fits the narrow screen: nothing sticks out sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = section.get_by_role("button", name="Add work").bounding_box()
    assert box["x"] + box["width"] <= width

    # A second time: it is listed already, and the page says so without reloading.
    section = page.locator("#record-add-work")
    section.get_by_label("DOI").fill("10.7717/peerj.4375")
    section.get_by_role("button", name="Add work").click()
    page.locator("#record-add-work .notice--error").get_by_text("already listed").wait_for()
    assert len(upstream.calls) == 1

    page.goto(f"{live_server.url}{record.get_absolute_url()}")
    row = page.locator(".work", has_text="The state of OA")
    assert row.locator(".tag--provenance").inner_text() == "added by the researcher"
