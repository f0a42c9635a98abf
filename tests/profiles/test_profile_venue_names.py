"""The profile's venue filter for works that name their venue without a venue record (a CSL
import, arXiv's journal reference): chosen as ``venue=name:<the name>``, on the page and
/api/researchers/<id>/works/ alike. On the demo's CSL file of Maosong Sun (47 works, each
giving its container-title and no source) and the recorded OpenAlex data; every expected count
is worked out here from the files."""

import json
import re
from collections import Counter
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.factories import AuthorshipFactory
from tests.profiles.test_profile_page import (
    _count_queries,
    _researcher_with_works,
    listed_titles,
    page_text,
)
from tests.profiles.test_profile_works_filters import lede
from tests.search.recorded import import_recorded
from works.importers.csl import import_csl_items, read_csl_file
from works.models import Researcher, Work

pytestmark = pytest.mark.django_db

CSL_FILE = Path(__file__).resolve().parents[2] / "works" / "demo" / "maosong-sun-works.csl.json"
# One of Mearman's recorded works, with a venue record (IEEE Visualization).
WITH_SOURCE = "W3200026003"


def reference() -> list[dict]:
    """Maosong Sun's works as the CSL file gives them, in the profile's order."""
    return json.loads(CSL_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def sun():
    researcher = Researcher.objects.create(
        display_name="Maosong Sun", origin=Researcher.Origin.CURATED
    )
    import_csl_items(read_csl_file(CSL_FILE), researcher)
    return researcher


@pytest.fixture
def sun_and_a_sourced_work(sun):
    """Sun with one recorded OpenAlex work too, so his list mixes both kinds of venue."""
    import_recorded()
    work = Work.objects.get(openalex_id=WITH_SOURCE)
    AuthorshipFactory(researcher=sun, work=work, order=work.authorships.count())
    return sun, work


def venue_options(response) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each venue the control offers."""
    html = response.content.decode()
    select = re.search(r'<select id="works-venue".*?</select>', html, re.S)[0]
    return [
        (unescape(value), unescape(label), bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select
        )
        if value
    ]


def api_titles(client, researcher, **params) -> list[str]:
    response = client.get(f"/api/researchers/{researcher.pk}/works/", {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return [w["title"] for w in response.json()["results"]]


def test_a_researcher_whose_works_have_no_venue_record_gets_venue_choices(client, sun):
    venues = Counter(item["container-title"] for item in reference())
    assert venues == {"arXiv": 47}

    options = venue_options(client.get(sun.get_absolute_url()))

    assert options == [(f"name:{name}", f"{name} ({n})", False) for name, n in venues.items()]


def test_choosing_a_venue_by_name_or_by_id_lists_the_same_works_on_the_page_and_the_api(
    client, sun_and_a_sourced_work
):
    sun, sourced = sun_and_a_sourced_work
    arxiv = [item["title"] for item in reference() if item["container-title"] == "arXiv"]
    total = len(reference()) + 1

    options = venue_options(client.get(sun.get_absolute_url()))
    assert options == [
        ("name:arXiv", f"arXiv ({len(arxiv)})", False),
        (str(sourced.source_id), f"{sourced.source.display_name} (1)", False),
    ]

    by_name = client.get(sun.get_absolute_url(), {"venue": "name:arXiv"})
    assert lede(by_name).startswith(f"{len(arxiv)} of {total} works")
    assert listed_titles(by_name) == arxiv
    assert ("name:arXiv", f"arXiv ({len(arxiv)})", True) in venue_options(by_name)
    assert api_titles(client, sun, venue="name:arXiv") == arxiv

    by_id = client.get(sun.get_absolute_url(), {"venue": sourced.source_id})
    assert lede(by_id).startswith(f"1 of {total} works")
    assert listed_titles(by_id) == [sourced.title]
    assert api_titles(client, sun, venue=sourced.source_id) == [sourced.title]


def test_a_venue_name_is_matched_as_stored_once_its_spaces_are_tidied(client, sun):
    response = client.get(sun.get_absolute_url(), {"venue": "name:  arXiv "})

    assert len(listed_titles(response)) == 47
    assert ("name:arXiv", "arXiv (47)", True) in venue_options(response)


def test_pages_of_a_venue_chosen_by_name_keep_it(client, sun, settings):
    settings.BZPEER_WORKS_PER_PAGE = 20

    response = client.get(sun.get_absolute_url(), {"venue": "name:arXiv"})

    next_link = re.search(r'<a rel="next" href="([^"]+)"', response.content.decode())
    assert "venue=name%3AarXiv" in unescape(next_link[1])


def test_a_venue_name_no_listed_work_has_is_an_explained_empty_list(client, sun):
    mearman = import_recorded()

    response = client.get(mearman.get_absolute_url(), {"venue": "name:arXiv"})

    assert listed_titles(response) == []
    assert lede(response) == "0 of 8 works"
    assert "No works match venue \u201carXiv\u201d. Clear filters" in page_text(response)
    assert ("name:arXiv", "arXiv (0)", True) in venue_options(response)
    assert api_titles(client, mearman, venue="name:arXiv") == []


@pytest.mark.parametrize(
    ("venue", "code", "reason"),
    [
        (
            "name:Nature",
            "unknown_venue",
            "No work in bzpeer has the venue 'Nature' (a venue with an id is chosen by its id).",
        ),
        # A venue with a record is chosen by its id, not its name.
        (
            "name:IEEE Visualization",
            "unknown_venue",
            "No work in bzpeer has the venue 'IEEE Visualization' (a venue with an id is "
            "chosen by its id).",
        ),
        ("name:", "bad_id", "venue must be a venue id, or name: followed by a venue name, not"),
        ("arXiv", "bad_id", "venue must be a venue id, or name: followed by a venue name, not"),
    ],
)
def test_a_venue_that_cannot_be_used_is_a_400_on_the_api_and_explained_on_the_page(
    client, sun_and_a_sourced_work, venue, code, reason
):
    sun, _ = sun_and_a_sourced_work

    api = client.get(f"/api/researchers/{sun.pk}/works/", {"venue": venue})
    page = client.get(sun.get_absolute_url(), {"venue": venue})

    assert api.status_code == 400
    assert api.json()["code"] == code
    assert api.json()["detail"].startswith(reason)
    assert page.status_code == 200
    assert listed_titles(page) == []
    assert f"No works match: {reason}" in page_text(page)


def test_the_schema_documents_venues_by_name(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    parameters = schema["paths"]["/api/researchers/{id}/works/"]["get"]["parameters"]
    venue = next(p for p in parameters if p["name"] == "venue")

    assert venue["schema"]["type"] == "string"
    assert "name:" in venue["description"]


def test_profile_query_count_with_a_venue_by_name_does_not_grow_with_works(client):
    small = _researcher_with_works(1, 1)
    large = _researcher_with_works(500, 1000)
    Work.objects.update(source=None, venue_name="Proceedings of Things")
    params = {"venue": "name:Proceedings of Things"}

    small_count = _count_queries(client, small.get_absolute_url() + "?" + urlencode(params))
    large_count = _count_queries(client, large.get_absolute_url() + "?" + urlencode(params))

    assert small_count == large_count
    response = client.get(large.get_absolute_url(), params)
    assert lede(response).startswith("499 of 499 works")
