"""Citation figures of the listed works (profiles/citation_metrics.py) on the recorded Mearman
data: each figure recomputed here by hand from the fixture JSON and compared with the profile,
the chart and the API."""

import re
from collections import Counter

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from profiles.citation_metrics import citation_metrics, citations_per_year
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from tests.search.recorded import PREPRINT, import_recorded, load, mearman_works
from works.models import Work

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
    # OpenAlex counts nine works (the preprint apart); the profile lists eight.
    assert author["works_count"] == 9
    assert "Works: 9 at OpenAlex, 8 here. OpenAlex counts 9 works; 8 are listed here." in html
    if author["cited_by_count"] != expected["cited_by_count"]:
        assert (
            f"Citations: {author['cited_by_count']} at OpenAlex, {expected['cited_by_count']} here."
        ) in html


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
