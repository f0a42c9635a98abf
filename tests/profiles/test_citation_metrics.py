"""Citation figures of the listed works (profiles/citation_metrics.py) on the recorded Mearman
data: each figure recomputed here by hand from the fixture JSON and compared with the profile,
the chart and the API."""

import datetime
import re
from collections import Counter
from html import unescape

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from claims.corrections import mark_not_mine, removed_works, undo_not_mine
from profiles.citation_metrics import (
    citation_metrics,
    citations_per_year,
    source_differences,
    unlisted,
)
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from tests.search.recorded import PREPRINT, import_recorded, load, mearman_works
from works.curation import set_work_hidden
from works.models import Authorship, Researcher, Work
from works.reverts import revert_entry

pytestmark = pytest.mark.django_db

MEARMAN = "A5017898742"


@pytest.fixture
def mearman():
    return import_recorded()


def listed_raw() -> list[dict]:
    """The records of the works the profile lists: Mearman's nine but the preprint, which is
    a version of its published paper."""
    return [w for w in mearman_works() if not w["id"].endswith(PREPRINT)]


def by_hand(works: list[dict]) -> dict:
    counts = sorted((w["cited_by_count"] for w in works), reverse=True)
    h_index = 0
    for rank, count in enumerate(counts, start=1):
        if count >= rank:
            h_index = rank
    per_year = Counter()
    for work in works:
        for entry in work["counts_by_year"]:
            per_year[entry["year"]] += entry["cited_by_count"]
    return {
        "works": len(works),
        "cited_by_count": sum(counts),
        "h_index": h_index,
        "i10_index": sum(1 for c in counts if c >= 10),
        "per_year": dict(per_year),
    }


def test_the_figures_of_the_listed_works_are_those_worked_out_from_the_records(mearman):
    expected = by_hand(listed_raw())

    metrics = citation_metrics(mearman.pk)

    assert metrics.works == expected["works"] == 8
    assert metrics.cited_by_count == expected["cited_by_count"]
    assert metrics.h_index == expected["h_index"]
    assert metrics.i10_index == expected["i10_index"]
    assert citations_per_year(mearman.pk) == expected["per_year"]


def test_a_hidden_work_leaves_every_figure(mearman):
    most_cited = max(listed_raw(), key=lambda w: w["cited_by_count"])
    Work.objects.filter(openalex_id=most_cited["id"].rsplit("/", 1)[-1]).update(is_hidden=True)
    expected = by_hand([w for w in listed_raw() if w["id"] != most_cited["id"]])

    metrics = citation_metrics(mearman.pk)

    assert (metrics.works, metrics.cited_by_count, metrics.h_index, metrics.i10_index) == (
        expected["works"],
        expected["cited_by_count"],
        expected["h_index"],
        expected["i10_index"],
    )
    assert citations_per_year(mearman.pk) == expected["per_year"]


@pytest.mark.parametrize(
    ("citations", "h_index", "i10_index"),
    [
        ([], 0, 0),
        ([0, 0], 0, 0),
        ([1], 1, 0),
        ([10, 10, 10], 3, 3),
        ([25, 8, 5, 4, 3, 3, 0], 4, 1),
        ([100, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9], 9, 1),
    ],
)
def test_h_and_i10_follow_their_definitions(citations, h_index, i10_index):
    researcher = ResearcherFactory()
    for count in citations:
        AuthorshipFactory(researcher=researcher, work=WorkFactory(cited_by_count=count))

    metrics = citation_metrics(researcher.pk)

    assert (metrics.h_index, metrics.i10_index, metrics.cited_by_count) == (
        h_index,
        i10_index,
        sum(citations),
    )


def test_the_figures_cost_two_queries_whatever_the_number_of_works():
    researcher = ResearcherFactory()
    for count in range(30):
        AuthorshipFactory(researcher=researcher, work=WorkFactory(cited_by_count=count))

    with CaptureQueriesContext(connection) as queries:
        metrics = citation_metrics(researcher.pk)

    assert len(queries.captured_queries) == 2
    assert (metrics.h_index, metrics.i10_index) == (15, 20)


def test_the_profile_shows_the_figures_and_the_sources_own_with_why(client, mearman):
    expected = by_hand(listed_raw())
    author = load(f"author-{MEARMAN}.json")

    html = client.get(mearman.get_absolute_url()).content.decode()

    stats = re.search(r'<ul class="stats"[^>]*id="citation-metrics">.*?</ul>', html, re.S)[0]
    values = {
        label: int(value)
        for value, label in re.findall(
            r'stat__value">(\d+)</span> <span class="stat__label">([^<]+)<', stats
        )
    }
    assert values == {
        "citations": expected["cited_by_count"],
        "h-index": expected["h_index"],
        "i10-index": expected["i10_index"],
    }
    # OpenAlex counts nine works, the preprint among them; the profile lists it under its
    # published version, so eight, and leaves its citations out.
    preprint = recorded_preprint()
    assert author["works_count"] == 9
    assert author["cited_by_count"] == expected["cited_by_count"] + preprint["cited_by_count"]
    assert source_figures(html) == [
        "Works: 9 at OpenAlex, 8 here. "
        "Not counted here: 1 preprint listed under its published version.",
        f"Citations: {author['cited_by_count']} at OpenAlex, {expected['cited_by_count']} here. "
        f"Not counted here: {preprint['cited_by_count']} citations of the preprint listed under "
        "its published version.",
    ]


def recorded_preprint() -> dict:
    return next(w for w in mearman_works() if w["id"].endswith(PREPRINT))


def source_figures(html: str) -> list[str]:
    """The lines comparing the source's figures with ours, as a reader sees them."""
    block = re.search(r'<ul class="source-figures[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    if not block:
        return []
    items = re.findall(r"<li>(.*?)</li>", block[1], re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


def by_id(openalex_id: str) -> dict:
    return next(w for w in mearman_works() if w["id"].endswith(openalex_id))


def day(iso: str) -> str:
    """'2025-09-21T07:40:09' as the page writes it: 21 Sep 2025."""
    return datetime.date.fromisoformat(iso[:10]).strftime("%-d %b %Y")


def test_a_work_hidden_by_staff_is_named_with_its_citations(client, mearman, staff_reviewer):
    most_cited = max(listed_raw(), key=lambda w: w["cited_by_count"])
    work = Work.objects.get(openalex_id=most_cited["id"].rsplit("/", 1)[-1])
    set_work_hidden(work, True, staff_reviewer)
    author = load(f"author-{MEARMAN}.json")
    kept = by_hand([w for w in listed_raw() if w["id"] != most_cited["id"]])
    preprint = recorded_preprint()

    lines = source_figures(client.get(mearman.get_absolute_url()).content.decode())

    assert lines == [
        f"Works: 9 at OpenAlex, {kept['works']} here. Not counted here: 1 preprint listed "
        "under its published version and 1 work hidden by staff.",
        f"Citations: {author['cited_by_count']} at OpenAlex, {kept['cited_by_count']} here. "
        f"Not counted here: {preprint['cited_by_count']} citations of the preprint listed under "
        f"its published version and {most_cited['cited_by_count']} citations of the work hidden "
        "by staff.",
        f"h-index: {author['summary_stats']['h_index']} at OpenAlex, {kept['h_index']} here. "
        f"OpenAlex computes it over the 9 works it counts, as of {day(author['updated_date'])}, "
        "not over the works listed here.",
    ]


def test_a_work_the_owner_marked_not_theirs_is_named_until_they_take_it_back(
    client, mearman, owner
):
    Researcher.objects.filter(pk=mearman.pk).update(owner=owner)
    mearman.refresh_from_db()
    marked = by_id("W3200026003")
    work = Work.objects.get(openalex_id="W3200026003")
    author = load(f"author-{MEARMAN}.json")
    kept = by_hand([w for w in listed_raw() if w["id"] != marked["id"]])
    preprint = recorded_preprint()

    mark_not_mine(owner, mearman, work.pk)
    lines = source_figures(client.get(mearman.get_absolute_url()).content.decode())

    assert lines[:2] == [
        f"Works: 9 at OpenAlex, {kept['works']} here. Not counted here: 1 preprint listed "
        "under its published version and 1 work the researcher marked as not theirs.",
        f"Citations: {author['cited_by_count']} at OpenAlex, {kept['cited_by_count']} here. "
        f"Not counted here: {preprint['cited_by_count']} citations of the preprint listed under "
        f"its published version and {marked['cited_by_count']} citations of the work the "
        "researcher marked as not theirs.",
    ]

    undo_not_mine(owner, mearman, work.pk)
    lines = source_figures(client.get(mearman.get_absolute_url()).content.decode())

    assert "not theirs" not in " ".join(lines)
    assert lines[0] == (
        "Works: 9 at OpenAlex, 8 here. "
        "Not counted here: 1 preprint listed under its published version."
    )


def test_a_reverted_not_mine_mark_no_longer_counts(mearman, owner, staff_reviewer):
    Researcher.objects.filter(pk=mearman.pk).update(owner=owner)
    mearman.refresh_from_db()
    work = Work.objects.get(openalex_id="W3200026003")
    entry = mark_not_mine(owner, mearman, work.pk)
    assert unlisted(mearman.pk).not_mine == 1

    revert_entry(entry, staff_reviewer)

    assert unlisted(mearman.pk).not_mine == 0


def test_a_reverted_take_back_leaves_the_not_mine_mark_standing_here_as_on_the_record(
    mearman, owner, staff_reviewer
):
    """Not mine, then mine again, then staff revert the "mine again": the work is off the record
    again, and the figures say so, by the one rule both read (works.curation)."""
    Researcher.objects.filter(pk=mearman.pk).update(owner=owner)
    mearman.refresh_from_db()
    work = Work.objects.get(openalex_id="W3200026003")
    mark_not_mine(owner, mearman, work.pk)
    taken_back = undo_not_mine(owner, mearman, work.pk)
    assert unlisted(mearman.pk).not_mine == 0

    revert_entry(taken_back, staff_reviewer)

    assert [w.pk for w, _ in removed_works(mearman)] == [work.pk]
    assert not Authorship.objects.filter(work=work, researcher=mearman).exists()
    assert unlisted(mearman.pk).not_mine == 1


def test_a_work_the_owner_added_is_counted_here_only(client, mearman):
    added = WorkFactory(cited_by_count=5)
    AuthorshipFactory(researcher=mearman, work=added, added_by_owner=True)
    author = load(f"author-{MEARMAN}.json")
    preprint = recorded_preprint()
    ours = by_hand([*listed_raw(), {"cited_by_count": 5, "counts_by_year": []}])

    lines = source_figures(client.get(mearman.get_absolute_url()).content.decode())

    # Nine works here as at OpenAlex (one added, one under its published version): no line.
    assert lines == [
        f"Citations: {author['cited_by_count']} at OpenAlex, {ours['cited_by_count']} here. "
        f"Not counted here: {preprint['cited_by_count']} citations of the preprint listed under "
        "its published version. Counted here only: 5 citations of the work the researcher "
        "added.",
        f"h-index: {author['summary_stats']['h_index']} at OpenAlex, {ours['h_index']} here. "
        f"OpenAlex computes it over the 9 works it counts, as of {day(author['updated_date'])}, "
        "not over the works listed here.",
    ]


def test_what_the_data_cannot_explain_is_put_down_to_the_dates_of_the_counts(client, mearman):
    # OpenAlex has two works more than were imported, and one work's count was read again
    # after OpenAlex made its figures.
    Researcher.objects.filter(pk=mearman.pk).update(source_works_count=11)
    reread = by_id("W2250748100")
    Work.objects.filter(openalex_id="W2250748100").update(
        cited_by_count=reread["cited_by_count"] + 3, cited_by_read_on=datetime.date(2025, 10, 1)
    )
    author = load(f"author-{MEARMAN}.json")
    preprint = recorded_preprint()
    ours = by_hand(listed_raw())["cited_by_count"] + 3
    others = [w for w in listed_raw() if w["id"] != reread["id"]]
    first_read = min(w["updated_date"] for w in others)

    lines = source_figures(client.get(mearman.get_absolute_url()).content.decode())

    as_of = day(author["updated_date"])
    assert lines == [
        "Works: 11 at OpenAlex, 8 here. Not counted here: 1 preprint listed under its published "
        "version. 2 other works OpenAlex counts are not held under this record here. "
        f"OpenAlex's figures date from {as_of}.",
        f"Citations: {author['cited_by_count']} at OpenAlex, {ours} here. "
        f"Not counted here: {preprint['cited_by_count']} citations of the preprint listed under "
        "its published version. The remaining difference of 3 is down to works not held here "
        f"and counts made on different days. OpenAlex's total dates from {as_of}; the works' "
        f"counts here were read between {day(first_read)} and 1 Oct 2025.",
    ]


def test_the_reasons_cost_two_queries_whatever_the_number_of_works():
    counts = []
    for n in (3, 40):
        researcher = ResearcherFactory(
            source_works_count=n + 7, source_cited_by_count=1000, h_index=50
        )
        for i in range(n):
            work = WorkFactory(cited_by_count=i)
            AuthorshipFactory(researcher=researcher, work=work)
            preprint = WorkFactory(cited_by_count=1, version_of=work)
            AuthorshipFactory(researcher=researcher, work=preprint)
        ours = citation_metrics(researcher.pk)
        with CaptureQueriesContext(connection) as queries:
            differences = source_differences(researcher, ours)
        counts.append(len(queries.captured_queries))
        assert [d.label for d in differences] == ["Works", "Citations", "h-index"]
        assert f"Not counted here: {n} preprints listed under their published versions" in (
            differences[0].why
        )
    assert counts == [2, 2]


def test_no_query_and_no_line_when_the_figures_agree():
    researcher = ResearcherFactory(source_works_count=1, source_cited_by_count=4, h_index=1)
    AuthorshipFactory(researcher=researcher, work=WorkFactory(cited_by_count=4))
    ours = citation_metrics(researcher.pk)

    with CaptureQueriesContext(connection) as queries:
        assert source_differences(researcher, ours) == []
    assert len(queries.captured_queries) == 0


def test_the_citations_chart_has_a_bar_per_year_from_the_listed_works(mearman):
    expected = by_hand(listed_raw())["per_year"]

    html = render_to_string("graph/_citations_per_year.html", {"researcher": mearman})

    first, last = min(expected), max(expected)
    assert html.count("<rect") == last - first + 1
    for year, count in expected.items():
        assert f"<title>{year}: {count} citation{'s' if count != 1 else ''}</title>" in html
    assert f"Citations per year, {first}\u2013{last}" in html
    assert 'id="citations-per-year"' in html


def test_no_citations_chart_without_yearly_counts():
    researcher = ResearcherFactory()
    AuthorshipFactory(researcher=researcher, work=WorkFactory(counts_by_year=[]))

    html = render_to_string("graph/_citations_per_year.html", {"researcher": researcher})

    assert "<svg" not in html


def test_the_researcher_api_gives_our_figures_and_the_sources_h_index(client, mearman):
    expected = by_hand(listed_raw())
    author = load(f"author-{MEARMAN}.json")

    body = client.get(f"/api/researchers/{mearman.pk}/").json()

    assert (body["cited_by_count"], body["h_index"], body["i10_index"]) == (
        expected["cited_by_count"],
        expected["h_index"],
        expected["i10_index"],
    )
    assert body["source_h_index"] == author["summary_stats"]["h_index"]
    assert body["source_cited_by_count"] == author["cited_by_count"]
