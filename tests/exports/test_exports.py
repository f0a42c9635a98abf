"""Exports of the recorded Mearman works: BibTeX and RIS parse back, CSL-JSON, Atom, badge."""

import json
from datetime import timedelta

import bibtexparser
import pytest
import rispy
from bibtexparser.bparser import BibTexParser
from defusedxml import ElementTree
from django.utils import timezone

from profiles.exports import _url, bibtex_escape, split_name, to_bibtex
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from tests.search.recorded import PREPRINT, PUBLISHED, mearman_works
from works.models import Researcher, Work

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
RECORDED_MAIN_TITLES = {w["title"] for w in mearman_works() if w["id"].rsplit("/")[-1] != PREPRINT}


def parse_bibtex(text: str) -> list[dict]:
    parser = BibTexParser(common_strings=True)
    parser.ignore_nonstandard_types = False
    return bibtexparser.loads(text, parser=parser).entries


def parse_ris(text: str) -> list[dict]:
    """The RIS read back by rispy, split at CR LF as the format asks (an export with bare LF
    would read as no records), with no tag rispy does not know."""
    records = rispy.loads(text, newline="\r\n")
    for record in records:
        assert "unknown_tag" not in record, record["unknown_tag"]
    return records


def unbrace(value: str) -> str:
    return value.replace("{", "").replace("}", "").replace("\\&", "&")


def test_the_file_name_spells_the_researchers_name_in_ascii(client):
    # Letters NFKD does not decompose were dropped before ("sren-strae").
    researcher = ResearcherFactory(display_name="Søren Straße")
    response = client.get(f"/researchers/{researcher.pk}/works.bib")
    assert 'filename="soren-strasse-' in response["Content-Disposition"]


def test_bibtex_of_the_recorded_works_parses_back(client, mearman):
    response = client.get(f"/researchers/{mearman.pk}/works.bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert 'filename="joseph-mearman-' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")
    entries = parse_bibtex(response.content.decode())
    # Nine recorded works; the arXiv preprint is folded into its published version.
    assert len(entries) == 8
    assert {unbrace(e["title"]) for e in entries} == RECORDED_MAIN_TITLES
    assert len({e["ID"] for e in entries}) == 8
    for entry in entries:
        assert "Mearman, Joseph" in entry["author"].split(" and ")
    heritage = next(e for e in entries if e.get("doi") == "10.1145/2795233")
    assert heritage["ENTRYTYPE"] == "article"
    assert heritage["year"] == "2015"
    assert heritage["author"].split(" and ")[0] == "Miles, Helen Cabot"
    assert "Labrosse, Frédéric" in heritage["author"]


def test_the_published_version_carries_the_preprint_arxiv_id(client, mearman):
    Work.objects.filter(openalex_id=PREPRINT).update(arxiv_id="2108.04680")
    entries = parse_bibtex(client.get(f"/researchers/{mearman.pk}/works.bib").content.decode())
    published = next(e for e in entries if e.get("doi") == "10.2312/cgvc.20211309")
    assert published["eprint"] == "2108.04680"
    assert published["archiveprefix"] == "arXiv"
    records = parse_ris(client.get(f"/researchers/{mearman.pk}/works.ris").content.decode())
    published = next(r for r in records if r.get("doi") == "10.2312/cgvc.20211309")
    assert published["notes"] == ["arXiv:2108.04680"]


def test_ris_of_the_recorded_works_parses_back(client, mearman):
    response = client.get(f"/researchers/{mearman.pk}/works.ris")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"].endswith('-works.ris"')
    records = parse_ris(response.content.decode())
    assert len(records) == 8
    assert {r["title"] for r in records} == RECORDED_MAIN_TITLES
    for record in records:
        assert "Mearman, Joseph" in record["authors"]
    heritage = next(r for r in records if r.get("doi") == "10.1145/2795233")
    assert heritage["type_of_reference"] == "JOUR"
    assert heritage["title"] == "Alternative Representations of 3D-Reconstructed Heritage Data"
    assert (heritage["year"], heritage["date"]) == ("2015", "2015/11/16")
    assert heritage["secondary_title"] == "Journal on Computing and Cultural Heritage"
    assert heritage["urls"] == ["https://doi.org/10.1145/2795233"]
    assert heritage["authors"][0] == "Miles, Helen Cabot"
    assert len(heritage["authors"]) == 11
    assert "Labrosse, Frédéric" in heritage["authors"]
    assert heritage["abstract"].startswith("By collecting images of heritage assets")
    assert heritage["abstract"].endswith("public engagement applications.")
    assert "notes" not in heritage  # no arXiv id to note


def test_csl_json_lists_the_works_with_authors_and_dates(client, mearman):
    response = client.get(f"/researchers/{mearman.pk}/works.json")
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    items = json.loads(response.content)
    assert len(items) == 8
    assert {i["title"] for i in items} == RECORDED_MAIN_TITLES
    heritage = next(i for i in items if i.get("DOI") == "10.1145/2795233")
    assert heritage["type"] == "article-journal"
    assert heritage["author"][0] == {"family": "Miles", "given": "Helen Cabot"}
    assert heritage["issued"]["date-parts"][0][0] == 2015


def test_hidden_works_are_not_exported(client, mearman):
    Work.objects.filter(title__startswith="Tangible papercraft").update(is_hidden=True)
    bib = client.get(f"/researchers/{mearman.pk}/works.bib").content.decode()
    ris = client.get(f"/researchers/{mearman.pk}/works.ris").content.decode()
    csl = client.get(f"/researchers/{mearman.pk}/works.json").content.decode()
    feed = client.get(f"/researchers/{mearman.pk}/feed.atom").content.decode()
    for body in (bib, ris, csl, feed):
        assert "Tangible papercraft" not in body
    assert len(parse_bibtex(bib)) == 7


def test_the_atom_feed_is_valid_xml_with_the_newest_works_first(client, mearman):
    now = timezone.now()
    tangible = Work.objects.get(title__startswith="Tangible papercraft")
    Work.objects.filter(pk=tangible.pk).update(created_at=now + timedelta(days=1))
    response = client.get(f"/researchers/{mearman.pk}/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert "Joseph Mearman" in root.findtext(f"{ATOM}title")
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 8
    assert entries[0].findtext(f"{ATOM}title") == tangible.title
    assert {e.findtext(f"{ATOM}title") for e in entries} == RECORDED_MAIN_TITLES
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"http://testserver/works/{tangible.pk}/"
    published = Work.objects.get(openalex_id=PUBLISHED)
    assert f"http://testserver/works/{published.pk}/" in response.content.decode()


def test_untrusted_text_is_escaped_in_every_format(client, db):
    researcher = ResearcherFactory(display_name='Eve <script>alert("x")</script> & Co')
    work = WorkFactory(
        title="50% of {braces} & $maths$ #1 <b>bold</b> ]]>",
        abstract="Line one\nTY  - JOUR\nER  - \n<script>alert(1)</script>",
    )
    AuthorshipFactory(work=work, researcher=researcher)
    bib = client.get(f"/researchers/{researcher.pk}/works.bib").content.decode()
    (entry,) = parse_bibtex(bib)
    assert entry["title"] == r"50\% of \{braces\} \& \$maths\$ \#1 <b>bold</b> ]]>"
    records = parse_ris(client.get(f"/researchers/{researcher.pk}/works.ris").content.decode())
    assert len(records) == 1
    assert records[0]["title"] == work.title
    assert records[0]["abstract"] == "Line one TY - JOUR ER - <script>alert(1)</script>"
    assert records[0]["authors"] == ['Co, Eve <script>alert("x")</script> &']
    feed = client.get(f"/researchers/{researcher.pk}/feed.atom").content
    root = ElementTree.fromstring(feed)
    assert root.find(f"{ATOM}entry").findtext(f"{ATOM}title") == work.title
    assert b"<script>" not in feed
    svg = client.get(f"/researchers/{researcher.pk}/badge.svg").content
    ElementTree.fromstring(svg)
    assert b"<script>" not in svg


def test_the_badge_is_svg_with_name_level_and_band(client, mearman):
    Researcher.objects.filter(pk=mearman.pk).update(trust_score=80, verification_level=3)
    response = client.get(f"/researchers/{mearman.pk}/badge.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Joseph Mearman" in text
    assert "L3 claimed" in text
    assert "Trusted" in text


def test_a_badge_before_any_trust_score_says_so(client, mearman):
    Researcher.objects.filter(pk=mearman.pk).update(trust_score=None)
    assert b"Not yet scored" in client.get(f"/researchers/{mearman.pk}/badge.svg").content


@pytest.mark.parametrize(
    "suffix", ["works.bib", "works.ris", "works.json", "feed.atom", "badge.svg"]
)
def test_unknown_researchers_get_404(client, db, suffix):
    assert client.get(f"/researchers/424242/{suffix}").status_code == 404


@pytest.mark.parametrize(
    "suffix", ["works.bib", "works.ris", "works.json", "feed.atom", "badge.svg"]
)
def test_a_merged_record_redirects_to_the_record_it_was_merged_into(client, mearman, suffix):
    duplicate = ResearcherFactory(merged_into=mearman)
    response = client.get(f"/researchers/{duplicate.pk}/{suffix}")
    assert response.status_code == 302
    assert response["Location"] == f"/researchers/{mearman.pk}/{suffix}"


@pytest.mark.parametrize("suffix", ["works.bib", "works.ris", "works.json", "badge.svg"])
def test_a_record_merged_twice_redirects_straight_to_the_live_record(client, mearman, suffix):
    middle = ResearcherFactory(merged_into=mearman)
    old = ResearcherFactory(merged_into=middle)
    response = client.get(f"/researchers/{old.pk}/{suffix}")
    assert response.status_code == 302
    assert response["Location"] == f"/researchers/{mearman.pk}/{suffix}"


def test_a_merge_cycle_is_a_404_not_a_redirect_loop(client, db):
    a, b = ResearcherFactory(), ResearcherFactory()
    Researcher.objects.filter(pk=a.pk).update(merged_into=b)
    Researcher.objects.filter(pk=b.pk).update(merged_into=a)
    assert client.get(f"/researchers/{a.pk}/works.bib").status_code == 404


@pytest.mark.parametrize("suffix", ["works.bib", "works.ris", "works.json", "feed.atom"])
def test_export_query_counts_do_not_grow(client, db, suffix, django_assert_max_num_queries):
    researcher = ResearcherFactory()
    for _ in range(15):
        work = WorkFactory()
        AuthorshipFactory(work=work, researcher=researcher)
        AuthorshipFactory(work=work, order=1)
        WorkFactory(version_of=work, arxiv_id=None)
    with django_assert_max_num_queries(5):
        assert client.get(f"/researchers/{researcher.pk}/{suffix}").status_code == 200


def test_names_split_into_family_and_given_with_particles():
    assert split_name("Helen Cabot Miles") == ("Miles", "Helen Cabot")
    assert split_name("Alistair Van Moere") == ("Van Moere", "Alistair")
    assert split_name("Plato") == ("Plato", "")


def test_bibtex_escaping_of_special_characters():
    assert bibtex_escape("a_b ~ c^d \\ e") == (
        r"a\_b \textasciitilde{} c\textasciicircum{}d \textbackslash{} e"
    )
    assert to_bibtex([]) == ""


@pytest.mark.django_db
def test_a_landing_page_that_is_not_http_does_not_hide_the_doi_link():
    work = WorkFactory(landing_page_url="ftp://files.example.org/paper.pdf", doi="10.1/abc")
    assert _url(work) == "https://doi.org/10.1/abc"
