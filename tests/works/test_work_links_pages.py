"""Each work shows how to reach it (works/_work_links.html in the one work row and on the work's
page) and the works API gives the same links, on the recorded Mearman works."""

import json
import re

import pytest

from tests.conftest import OPENALEX
from tests.factories import WorkFactory
from works.importers.openalex import import_author, import_list_page
from works.models import OA_STATUS_LABELS, Work

pytestmark = pytest.mark.django_db

MEARMAN = "A5017898742"


@pytest.fixture
def mearman():
    researcher = import_author(json.loads((OPENALEX / f"author-{MEARMAN}.json").read_text()))
    page = json.loads((OPENALEX / f"works-by-{MEARMAN}-per_page50.json").read_text())
    import_list_page(page)
    return researcher, {w["id"].removeprefix("https://openalex.org/"): w for w in page["results"]}


def _row(html: str, work) -> str:
    match = re.search(rf'<li class="work" id="work-{work.pk}">.*?\n</li>', html, flags=re.S)
    assert match, "no row for the work"
    return match.group(0)


def _anchors(html: str) -> dict[str, str]:
    """{link text: the whole <a> tag} of the links to the work."""
    block = re.search(r'<ul class="work__links".*?</ul>', html, flags=re.S)
    assert block, "no links"
    return {text: tag for tag, text in re.findall(r'(<a href="[^"]*"[^>]*>)([^<]+)</a>', block[0])}


def test_the_preprint_row_links_doi_arxiv_and_says_green_and_cited_by_two(client, mearman):
    researcher, _ = mearman
    work = Work.objects.get(openalex_id="W3188841554")

    for page in (researcher.get_absolute_url(), "/works/"):
        row = _row(client.get(page).content.decode(), work)
        anchors = _anchors(row)
        assert anchors["DOI"] == (
            '<a href="https://doi.org/10.48550/arxiv.2108.04680" rel="noopener">'
        )
        assert anchors["arXiv abstract"] == (
            '<a href="https://arxiv.org/abs/2108.04680" rel="noopener">'
        )
        assert anchors["arXiv PDF"] == '<a href="https://arxiv.org/pdf/2108.04680" rel="noopener">'
        # The open-access copy is the arXiv page, already linked: listed once.
        assert "Open-access copy" not in anchors
        assert "Free copy in a repository (green open access)" in row
        assert "Cited by 2 (as of 17 Sep 2025)" in row
        assert "Retracted" not in row


def test_every_recorded_row_states_its_status_and_count_as_the_record_does(client, mearman):
    researcher, raws = mearman
    html = client.get(researcher.get_absolute_url()).content.decode()

    for oid, raw in raws.items():
        work = Work.objects.get(openalex_id=oid)
        if work.is_hidden or work.version_of_id:
            continue
        row = _row(html, work)
        assert f"Cited by {raw['cited_by_count']} (as of " in row, oid
        status = raw["open_access"]["oa_status"]
        # The words, then the status by the name researchers know it by.
        term = "closed access" if status == "closed" else f"{status} open access"
        assert f"{OA_STATUS_LABELS[status]} ({term})</span>" in row, oid
        for tag in _anchors(row).values():
            assert 'rel="noopener"' in tag
            assert re.match(r'<a href="https?://', tag), tag


def test_a_retracted_work_is_marked_and_unsafe_urls_are_never_linked(client):
    work = WorkFactory(
        is_retracted=True,
        oa_status="bronze",
        oa_url="javascript:alert(1)",
        pdf_url="ftp://files.example.org/paper.pdf",
        landing_page_url="https://example.org/paper",
    )

    for page in ("/works/", f"/works/{work.pk}/"):
        html = client.get(page).content.decode()
        assert '<strong class="tag tag--retracted">Retracted</strong>' in html, page
        assert "javascript:" not in html and "ftp://" not in html, page
        assert "Free to read on the publisher&#x27;s site (bronze open access)" in html, page
        assert '<a href="https://example.org/paper" rel="noopener">Landing page</a>' in html


def test_the_work_page_shows_the_links_and_the_citation_count(client, mearman):
    work = Work.objects.get(openalex_id="W3188841554")

    html = client.get(f"/works/{work.pk}/").content.decode()

    assert set(_anchors(html)) == {"DOI", "arXiv abstract", "arXiv PDF"}
    assert "Cited by 2 (as of 17 Sep 2025)" in html
    assert "Free copy in a repository (green open access)" in html


def test_a_closed_work_says_closed_access_and_an_unknown_status_says_nothing(client):
    closed = WorkFactory(oa_status="closed")
    unknown = WorkFactory(oa_status="")

    closed_html = client.get(f"/works/{closed.pk}/").content.decode()
    unknown_html = client.get(f"/works/{unknown.pk}/").content.decode()

    assert "No free copy known (closed access)" in closed_html
    assert "work__oa" not in unknown_html and "open access)" not in unknown_html


def test_the_works_api_gives_the_links_status_and_count_of_each_work(client, mearman):
    researcher, raws = mearman

    for url in ("/api/works/", f"/api/researchers/{researcher.pk}/works/"):
        body = client.get(url, {"page_size": 50}).json()
        by_id = {w["openalex_id"]: w for w in body["results"]}
        assert by_id, url
        for oid, entry in by_id.items():
            raw = raws[oid]
            best = raw["best_oa_location"] or {}
            assert entry["cited_by_count"] == raw["cited_by_count"]
            assert entry["oa_status"] == raw["open_access"]["oa_status"]
            assert entry["oa_url"] == (
                best.get("landing_page_url")
                or best.get("pdf_url")
                or raw["open_access"]["oa_url"]
                or ""
            )
            doi = (raw["doi"] or "").removeprefix("https://doi.org/").lower()
            assert entry["doi_url"] == (f"https://doi.org/{doi}" if doi else "")
            assert entry["is_retracted"] is raw["is_retracted"]
        preprint = by_id["W3188841554"]
        assert (preprint["arxiv_url"], preprint["pdf_url"]) == (
            "https://arxiv.org/abs/2108.04680",
            "",
        )
