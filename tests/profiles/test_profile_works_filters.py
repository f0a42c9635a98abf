"""Sorting, filtering and searching a profile's works, on the recorded OpenAlex data: the page
(and its htmx partial) and /api/researchers/<id>/works/. Every expected count and order is
worked out here from the recorded JSON, not from the code under test."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bzpeer.fold import fold
from tests.profiles.test_profile_page import _researcher_with_works, listed_titles, page_text
from tests.search.recorded import PREPRINT, import_recorded, mearman_works
from works.models import Researcher, Source, Work

pytestmark = pytest.mark.django_db

RITSOS = "A5009341822"  # Panagiotis D. Ritsos, Mearman's most frequent co-author
WORKSHOP = "S4306418842"  # the venue of four of Mearman's works


@pytest.fixture
def mearman():
    return import_recorded()


def recorded_listed() -> list[dict]:
    """Mearman's works as his profile lists them: the arXiv preprint is a version of its
    published paper (import_recorded links them), so it is not an entry of its own."""
    return [w for w in mearman_works() if w["id"].rsplit("/", 1)[-1] != PREPRINT]


def _source_id(work: dict) -> str | None:
    source = (work.get("primary_location") or {}).get("source")
    return source["id"].rsplit("/", 1)[-1] if source else None


def _author_ids(work: dict) -> set[str]:
    return {a["author"]["id"].rsplit("/", 1)[-1] for a in work["authorships"]}


def _words(work: dict) -> list[str]:
    abstract = " ".join((work.get("abstract_inverted_index") or {}).keys())
    return re.findall(r"\w+", fold(f"{work['title']} {abstract}"))


def recorded_matching(*, type=None, year=None, venue=None, coauthor=None, q=None) -> list[dict]:
    works = recorded_listed()
    if type is not None:
        works = [w for w in works if w["type"] == type]
    if year is not None:
        works = [w for w in works if w["publication_year"] == year]
    if venue is not None:
        works = [w for w in works if _source_id(w) == venue]
    if coauthor is not None:
        works = [w for w in works if coauthor in _author_ids(w)]
    if q is not None:
        # Every query word starts a word of the title or abstract.
        works = [w for w in works if all(any(x.startswith(t) for x in _words(w)) for t in q)]
    return works


def titles_by_year(works: list[dict]) -> list[str]:
    ordered = sorted(works, key=lambda w: (-(w["publication_year"] or 0), w["title"].lower()))
    return [w["title"] for w in ordered]


def titles_by_citations(works: list[dict]) -> list[str]:
    ordered = sorted(
        works,
        key=lambda w: (-w["cited_by_count"], -(w["publication_year"] or 0), w["title"].lower()),
    )
    return [w["title"] for w in ordered]


def titles_by_title(works: list[dict]) -> list[str]:
    return [w["title"] for w in sorted(works, key=lambda w: w["title"].lower())]


def researcher_pk(openalex_id: str) -> str:
    return str(Researcher.objects.get(openalex_id=openalex_id).pk)


def source_pk(openalex_id: str) -> str:
    return str(Source.objects.get(openalex_id=openalex_id).pk)


def lede(response) -> str:
    html = response.content.decode()
    found = re.search(r'id="works-results".*?<p class="section-lede">(.*?)</p>', html, re.S)
    assert found, "no works count on the page"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def api_titles(client, mearman, **params) -> list[str]:
    response = client.get(f"/api/researchers/{mearman.pk}/works/", params)
    assert response.status_code == 200, response.content
    return [w["title"] for w in response.json()["results"]]


# The recorded data has what these tests need to mean something.
def test_the_recorded_works_vary_in_what_is_sorted_and_filtered():
    works = recorded_listed()
    assert len(works) == 8
    assert len({w["publication_year"] for w in works}) >= 5
    assert len({w["cited_by_count"] for w in works}) >= 4
    assert 1 < len(recorded_matching(coauthor=RITSOS)) < len(works)
    assert 1 < len(recorded_matching(venue=WORKSHOP)) < len(works)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (None, titles_by_year),
        ("year", titles_by_year),
        ("citations", titles_by_citations),
        ("title", titles_by_title),
    ],
)
def test_each_sort_orders_the_page_and_the_api_alike(client, mearman, sort, expected):
    params = {"sort": sort} if sort else {}
    want = expected(recorded_listed())

    response = client.get(mearman.get_absolute_url(), params)

    assert listed_titles(response) == want
    assert api_titles(client, mearman, **params) == want
    # A sort alone is not a filter: the count reads as before.
    assert lede(response) == "8 published works"


def test_sort_by_citations_breaks_ties_by_year_then_title(client, mearman):
    # Five of the eight works are cited by no one: they follow newest first, then by title.
    uncited = [w for w in recorded_listed() if w["cited_by_count"] == 0]
    assert len(uncited) == 5
    shown = api_titles(client, mearman, sort="citations")
    assert shown[-5:] == titles_by_year(uncited)


def _filters():
    """Each filter as (page/API parameters, what recorded_matching takes)."""
    return {
        "type": ({"type": "article"}, {"type": "article"}),
        "year": ({"year": "2014"}, {"year": 2014}),
        "venue": ({"venue": source_pk(WORKSHOP)}, {"venue": WORKSHOP}),
        "coauthor": ({"coauthor": researcher_pk(RITSOS)}, {"coauthor": RITSOS}),
        # A word that PostgreSQL's stemming and close spellings do not widen on this data.
        "q": ({"q": "Heritage"}, {"q": ["heritage"]}),
    }


@pytest.mark.parametrize("name", ["type", "year", "venue", "coauthor", "q"])
def test_each_filter_alone_counts_and_lists_what_the_recorded_data_says(client, mearman, name):
    params, recorded = _filters()[name]
    want = recorded_matching(**recorded)
    assert want, "the filter should match something"

    response = client.get(mearman.get_absolute_url(), params)

    assert lede(response).startswith(f"{len(want)} of 8 works")
    assert listed_titles(response) == titles_by_year(want)
    assert api_titles(client, mearman, **params) == titles_by_year(want)


def test_filters_combine_with_each_other_and_with_a_sort(client, mearman):
    filters = _filters()
    params = {**filters["year"][0], **filters["coauthor"][0], **filters["type"][0]}
    want = recorded_matching(type="article", year=2014, coauthor=RITSOS)
    assert 0 < len(want) < len(recorded_matching(year=2014))

    response = client.get(mearman.get_absolute_url(), {**params, "sort": "title"})

    assert lede(response).startswith(f"{len(want)} of 8 works")
    assert listed_titles(response) == titles_by_title(want)
    assert api_titles(client, mearman, **params, sort="citations") == titles_by_citations(want)


def test_venue_and_search_combine(client, mearman):
    filters = _filters()
    params = {**filters["venue"][0], **filters["q"][0]}
    want = recorded_matching(venue=WORKSHOP, q=["heritage"])
    assert 0 < len(want) < len(recorded_matching(q=["heritage"]))

    response = client.get(mearman.get_absolute_url(), params)

    assert lede(response).startswith(f"{len(want)} of 8 works")
    assert sorted(listed_titles(response)) == sorted(w["title"] for w in want)


def test_a_merged_co_author_stands_for_the_record_it_was_merged_into(client, mearman):
    ritsos = Researcher.objects.get(openalex_id=RITSOS)
    old = Researcher.objects.create(display_name="P. Ritsos", merged_into=ritsos)
    want = recorded_matching(coauthor=RITSOS)

    response = client.get(mearman.get_absolute_url(), {"coauthor": old.pk})

    assert len(listed_titles(response)) == len(want)
    assert len(api_titles(client, mearman, coauthor=old.pk)) == len(want)


def test_the_controls_offer_what_the_listed_works_hold(client, mearman):
    response = client.get(mearman.get_absolute_url())
    html = response.content.decode()
    works = recorded_listed()

    years = re.findall(r'<option value="(\d{4})"[^>]*>\d{4} \((\d+)\)', html)
    expected_years = sorted({w["publication_year"] for w in works}, reverse=True)
    assert [int(y) for y, _ in years] == expected_years
    assert {int(y): int(n) for y, n in years} == {
        y: len(recorded_matching(year=y)) for y in expected_years
    }
    venue = Source.objects.get(openalex_id=WORKSHOP)
    assert f'<option value="{venue.pk}">{venue.display_name} (4)</option>' in html
    ritsos = Researcher.objects.get(openalex_id=RITSOS)
    shared = len(recorded_matching(coauthor=RITSOS))
    assert f'<option value="{ritsos.pk}">{ritsos.display_name} ({shared})</option>' in html
    assert '<option value="article">article (8)</option>' in html


def test_no_match_explains_itself_and_offers_to_clear(client, mearman):
    response = client.get(mearman.get_absolute_url(), {"year": "1999", "type": "article"})

    assert response.status_code == 200
    assert listed_titles(response) == []
    assert lede(response) == "0 of 8 works"
    text = page_text(response)
    assert "No works match type \u201carticle\u201d, year 1999. Clear filters" in text
    assert f'href="{mearman.get_absolute_url()}#published-work">Clear filters' in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"year": "abc"}, "year must be a year such as 2019, not 'abc'."),
        ({"sort": "newest"}, "sort must be one of year, citations, title."),
        ({"coauthor": "x"}, "coauthor must be a researcher id, not 'x'."),
        ({"coauthor": "424242"}, "No researcher has the id 424242."),
        ({"venue": "424242"}, "No venue has the id 424242."),
        ({"type": "novel"}, "No work in bzpeer has the type 'novel'."),
    ],
)
def test_a_value_the_page_cannot_use_is_explained_not_ignored(client, mearman, params, reason):
    response = client.get(mearman.get_absolute_url(), params)

    assert response.status_code == 200
    assert listed_titles(response) == []
    assert f"No works match: {reason} Clear filters" in page_text(response)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"sort": "newest"}, "bad_sort"),
        ({"year": "abc"}, "bad_year"),
        ({"year": "20190"}, "bad_year"),
        ({"coauthor": "x"}, "bad_id"),
        ({"coauthor": "-3"}, "bad_id"),
        ({"coauthor": "424242"}, "unknown_coauthor"),
        ({"venue": "4.5"}, "bad_id"),
        ({"venue": "424242"}, "unknown_venue"),
        ({"type": "novel"}, "unknown_type"),
        ({"q": "x" * 201}, "too_long"),
        ({"colour": "red"}, "unknown_parameter"),
    ],
)
def test_the_api_refuses_a_value_it_cannot_use_with_a_400(client, mearman, params, code):
    response = client.get(f"/api/researchers/{mearman.pk}/works/", params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["detail"]


def test_a_researcher_is_not_their_own_co_author(client, mearman):
    """Every listed work has its researcher among its authors: "co-author: themselves" would
    list them all under a label that says otherwise."""
    own = {"coauthor": str(mearman.pk)}

    page = client.get(mearman.get_absolute_url(), own)
    api = client.get(f"/api/researchers/{mearman.pk}/works/", own)

    reason = f"{mearman.pk} is this researcher's own id; choose one of their co-authors."
    assert listed_titles(page) == []
    assert f"No works match: {reason} Clear filters" in page_text(page)
    assert api.status_code == 400
    assert api.json()["code"] == "own_id"
    assert api.json()["detail"] == reason


def test_the_api_names_the_sorts_and_types_it_knows(client, mearman):
    url = f"/api/researchers/{mearman.pk}/works/"
    assert client.get(url, {"sort": "x"}).json()["allowed"] == ["year", "citations", "title"]
    allowed_types = client.get(url, {"type": "novel"}).json()["allowed"]
    assert set(allowed_types) == set(Work.objects.exclude(type="").values_list("type", flat=True))


def test_api_cursor_pages_keep_the_sort_and_filters(client, mearman):
    url = f"/api/researchers/{mearman.pk}/works/"
    page = client.get(url, {"sort": "citations", "type": "article", "page_size": 3}).json()
    seen = [w["title"] for w in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [w["title"] for w in page["results"]]
    assert seen == titles_by_citations(recorded_matching(type="article"))


def test_pagination_links_keep_the_sort_and_filters(client, mearman, settings):
    settings.BZPEER_WORKS_PER_PAGE = 2
    params = {"sort": "citations", "type": "article", "coauthor": researcher_pk(RITSOS)}
    want = titles_by_citations(recorded_matching(type="article", coauthor=RITSOS))
    assert len(want) > 2

    seen, response = [], client.get(mearman.get_absolute_url(), params)
    while True:
        seen += listed_titles(response)
        assert lede(response).startswith(f"{len(want)} of 8 works")
        next_link = re.search(r'<a rel="next" href="([^"]+)"', response.content.decode())
        if not next_link:
            break
        href = unescape(next_link.group(1)).split("#")[0]
        assert "sort=citations" in href and "type=article" in href and "coauthor=" in href
        response = client.get(mearman.get_absolute_url() + href)
    assert seen == want


def test_the_htmx_request_gets_the_results_alone(client, mearman):
    response = client.get(
        mearman.get_absolute_url(),
        {"year": "2014"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="works-results",
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="works-results"')
    assert "<html" not in html and "works-filters" not in html
    assert lede(response).startswith(f"{len(recorded_matching(year=2014))} of 8 works")
    assert "HX-Target" in response["Vary"]


def test_the_filter_form_works_without_javascript_and_swaps_with_htmx(client, mearman):
    html = client.get(mearman.get_absolute_url(), {"sort": "title"}).content.decode()
    form = re.search(r'<form class="works-filters".*?</form>', html, re.S).group(0)
    url = mearman.get_absolute_url()
    # Plain GET to the profile (no JavaScript needed) ...
    assert 'method="get"' in form and f'action="{url}#published-work"' in form
    assert '<button type="submit">Apply</button>' in form
    # ... that htmx turns into a swap of the results, the query kept in the address bar.
    assert f'hx-get="{url}"' in form and 'hx-target="#works-results"' in form
    assert 'hx-push-url="true"' in form
    assert '<option value="title" selected>' in form


def _count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_profile_query_count_with_filters_does_not_grow_with_works(client, settings):
    settings.BZPEER_WORKS_PER_PAGE = 2
    small = _researcher_with_works(1, 1)
    large = _researcher_with_works(500, 1000)
    Work.objects.update(type="article")
    params = {"sort": "citations", "type": "article", "year": "2000", "q": "work"}

    def with_all_filters(researcher):
        work = researcher.authorships.order_by("work_id").first().work
        coauthor = work.authorships.exclude(researcher=researcher).exclude(researcher=None)
        return {**params, "venue": work.source_id, "coauthor": coauthor.first().researcher_id}

    small_count = _count_queries(client, small.get_absolute_url(), with_all_filters(small))
    large_count = _count_queries(client, large.get_absolute_url(), with_all_filters(large))
    large_page_2 = _count_queries(
        client, large.get_absolute_url(), {**with_all_filters(large), "page": "2"}
    )

    assert small_count == large_count == large_page_2
    # The filters left more than a page of the large list (one of its works is hidden).
    response = client.get(large.get_absolute_url(), {**with_all_filters(large), "page": "2"})
    found = re.match(r"(\d+) of 499 works", lede(response))
    assert found and int(found.group(1)) > 2
    assert "Page 2 of" in page_text(response)
