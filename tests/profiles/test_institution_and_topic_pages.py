"""Institution and topic pages on the recorded OpenAlex data (works/demo/openalex).

Expected figures are worked out here from the recorded JSON, not read back from the database."""

import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from graph.actions import refresh_researchers
from profiles.models import ResearcherTopic
from tests.conftest import OPENALEX
from tests.factories import (
    AuthorshipFactory,
    InstitutionFactory,
    ResearcherFactory,
    TopicFactory,
    WorkFactory,
)
from tests.search.recorded import PREPRINT, PUBLISHED, STATE_OF_OA, import_recorded, load
from works.models import Affiliation, Institution, Researcher, Topic, Work, WorkTopic

pytestmark = pytest.mark.django_db

BANGOR = "I161548249"
AUGMENTED_REALITY = "T10888"


def recorded_works() -> list[dict]:
    return load("works-by-A5017898742-per_page50.json")["results"] + [
        load(f"work-{STATE_OF_OA}.json")
    ]


def recorded_authors() -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(OPENALEX.glob("author-*.json"))]


def expected_listed_counts(author_ids: set[str]) -> dict[str, int]:
    """Listed works per recorded author id, from the JSON: every work they are on, the
    preprint counted once with its published version (the fixture links the two)."""
    counts = {}
    for author_id in author_ids:
        works = {
            work["id"].rsplit("/", 1)[-1]
            for work in recorded_works()
            if any(a["author"]["id"].endswith(author_id) for a in work["authorships"])
        }
        if {PREPRINT, PUBLISHED} <= works:
            works.discard(PREPRINT)
        counts[author_id] = len(works)
    return counts


def bangor_author_ids() -> set[str]:
    ids = set()
    for author in recorded_authors():
        places = [i["id"] for i in author.get("last_known_institutions") or []]
        places += [a["institution"]["id"] for a in author.get("affiliations") or []]
        if any(place.endswith(BANGOR) for place in places):
            ids.add(author["id"].rsplit("/", 1)[-1])
    return ids


@pytest.fixture
def recorded(db):
    mearman = import_recorded()
    refresh_researchers(Researcher.objects.values_list("pk", flat=True))
    return mearman


def _rows(html: str, testid: str) -> list[tuple[str, str]]:
    """(name, count text) of each row of a ranked researcher list."""
    block = html.split(f'data-testid="{testid}"', 1)[1].split("</ol>", 1)[0]
    names = re.findall(r'class="researcher-row__name"[^>]*>([^<]+)</a>', block)
    counts = re.findall(r'class="researcher-row__count">([^<]+)</span>', block)
    return [(unescape(n), c) for n, c in zip(names, counts, strict=True)]


def _institution_url(openalex_id: str) -> str:
    return f"/institutions/{Institution.objects.get(openalex_id=openalex_id).pk}/"


def _topic_url(openalex_id: str) -> str:
    return f"/topics/{Topic.objects.get(openalex_id=openalex_id).pk}/"


# Institutions ----------------------------------------------------------------------------------


def test_institution_page_ranks_its_recorded_researchers_by_listed_works(client, recorded):
    response = client.get(_institution_url(BANGOR))

    assert response.status_code == 200
    html = response.content.decode()
    expected = expected_listed_counts(bangor_author_ids())
    names = {Researcher.objects.get(openalex_id=oid).display_name: n for oid, n in expected.items()}
    rows = _rows(html, "institution-people")
    assert {name for name, _ in rows} == set(names)
    for name, count in rows:
        assert count == f"{names[name]} work{'s' if names[name] != 1 else ''}", name
    shown = [int(count.split()[0]) for _, count in rows]
    assert shown == sorted(shown, reverse=True)
    assert rows[0] == ("Joseph Mearman", "8 works")
    title = "<title>&#x2068;Bangor University&#x2069;: researchers and topics · bzpeer</title>"
    assert title in html
    assert 'href="https://ror.org/006jb1a24"' in html
    assert 'aria-label="Breadcrumb"' in html
    # OpenAlex's "funder" is said in words, with whose word it is.
    assert 'Research funder <span class="muted">(as OpenAlex records it)</span>' in html


def test_institution_topics_are_those_its_researchers_share_most(client, recorded):
    html = client.get(_institution_url(BANGOR)).content.decode()
    block = html.split('data-testid="institution-topics"', 1)[1].split("</ul>", 1)[0]
    first = re.search(r'href="/topics/(\d+)/"[^>]*>([^<]+)</a> <span class="muted">(\d+)', block)
    # 3D Surveying and Cultural Heritage is on the two big cultural-heritage papers, which six
    # of the Bangor authors wrote.
    recorded_people = {
        a["author"]["id"].rsplit("/", 1)[-1]
        for w in recorded_works()
        if any(t["id"].endswith("T11211") for t in w.get("topics", []))
        for a in w["authorships"]
    } & bangor_author_ids()
    assert unescape(first.group(2)) == "3D Surveying and Cultural Heritage"
    assert int(first.group(3)) == len(recorded_people) == 6


def test_hidden_works_do_not_count_and_merged_records_are_not_listed(client, recorded):
    ritsos = Researcher.objects.get(display_name="Panagiotis D. Ritsos")
    butcher = Researcher.objects.get(display_name="Peter Butcher")
    Work.objects.filter(openalex_id="W2612755892").update(is_hidden=True)  # Ritsos is on it
    Researcher.objects.filter(pk=butcher.pk).update(merged_into=recorded)
    # As the curation that hides a work and merges records does, after the change.
    refresh_researchers([ritsos.pk, butcher.pk, recorded.pk])

    rows = dict(_rows(client.get(_institution_url(BANGOR)).content.decode(), "institution-people"))

    assert rows["Panagiotis D. Ritsos"] == "6 works"
    assert ritsos.display_name in rows and "Peter Butcher" not in rows


def test_institution_page_queries_do_not_grow_with_its_researchers(
    client, django_assert_max_num_queries
):
    def institution_with(n: int) -> Institution:
        institution = InstitutionFactory()
        topic = TopicFactory()
        for _ in range(n):
            person = ResearcherFactory(last_known_institution=institution)
            work = AuthorshipFactory(researcher=person).work
            WorkTopic.objects.create(work=work, topic=topic)
            Affiliation.objects.create(researcher=person, institution=institution)
        refresh_researchers(Researcher.objects.values_list("pk", flat=True))
        return institution

    small, large = institution_with(1), institution_with(60)

    def count(institution):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/institutions/{institution.pk}/").status_code == 200
        return len(ctx.captured_queries)

    assert count(small) == count(large)
    with django_assert_max_num_queries(4):
        response = client.get(f"/institutions/{large.pk}/")
    # Bounded: the 50 most published of the 60, and how many there are in all.
    assert len(_rows(response.content.decode(), "institution-people")) == 50
    assert "of 60" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/institutions/999999/", "/institutions/abc/", "/institutions/-1/"]
)
def test_an_unknown_or_malformed_institution_is_a_404_page(client, path):
    assert client.get(path).status_code == 404


# Topics ----------------------------------------------------------------------------------------


def test_topic_page_shows_its_place_in_the_hierarchy_from_the_recorded_json(client, recorded):
    recorded_topic = next(
        t
        for w in recorded_works()
        for t in w.get("topics", [])
        if t["id"].endswith(AUGMENTED_REALITY)
    )
    response = client.get(_topic_url(AUGMENTED_REALITY))

    html = response.content.decode()
    block = html.split('data-testid="topic-hierarchy"', 1)[1].split("</ol>", 1)[0]
    levels = re.findall(r'topic-hierarchy__level">([^<]+)<', block)
    names = [unescape(n) for n in re.findall(r">([^<>]+)</(?:a|strong)>", block)]
    assert levels == ["Domain", "Field", "Subfield", "Topic"]
    assert names == [
        recorded_topic["domain"]["display_name"],
        recorded_topic["field"]["display_name"],
        recorded_topic["subfield"]["display_name"],
        recorded_topic["display_name"],
    ]
    # Links up: each ancestor's page; the topic itself is the current page.
    subfield = Topic.objects.get(openalex_id="subfields/1707")
    assert f'href="/topics/{subfield.pk}/"' in block
    assert 'aria-current="page"' in block
    name = recorded_topic["display_name"]
    assert f"<title>&#x2068;{name}&#x2069;: topic and its researchers" in html


def test_a_subfield_links_down_to_its_topics_and_counts_their_works(client, recorded):
    subfield = Topic.objects.get(openalex_id="subfields/1707")
    html = client.get(f"/topics/{subfield.pk}/").content.decode()

    children = html.split('data-testid="topic-children"', 1)[1].split("</ul>", 1)[0]
    recorded_children = {
        t["display_name"]
        for w in recorded_works()
        for t in w.get("topics", [])
        if t["subfield"]["id"].endswith("subfields/1707")
    }
    assert {unescape(n) for n in re.findall(r">([^<]+)</a>", children)} == recorded_children
    # Works in the subfield: Mearman's works carrying any of its topics, the preprint and its
    # published version once.
    works = {
        w["id"].rsplit("/", 1)[-1]
        for w in recorded_works()
        if any(t["subfield"]["id"].endswith("subfields/1707") for t in w.get("topics", []))
        and any(a["author"]["id"].endswith("A5017898742") for a in w["authorships"])
    }
    works.discard(PREPRINT)
    assert dict(_rows(html, "topic-people"))["Joseph Mearman"] == f"{len(works)} works"


def test_a_topic_ranks_researchers_as_their_ranked_topics_count_them(client, recorded):
    topic = Topic.objects.get(openalex_id=AUGMENTED_REALITY)
    html = client.get(f"/topics/{topic.pk}/").content.decode()

    rows = _rows(html, "topic-people")
    stored = {
        rt.researcher.display_name: rt.works_count
        for rt in ResearcherTopic.objects.filter(topic=topic).select_related("researcher")
    }
    assert {name: int(count.split()[0]) for name, count in rows} == stored
    assert rows[0][1] == "4 works"


def test_topic_page_leaves_out_merged_records_and_hidden_works(client, recorded):
    topic = Topic.objects.get(openalex_id=AUGMENTED_REALITY)
    butcher = Researcher.objects.get(display_name="Peter Butcher")
    Researcher.objects.filter(pk=butcher.pk).update(merged_into=recorded)
    Work.objects.filter(openalex_id="W2612755892").update(is_hidden=True)

    rows = dict(_rows(client.get(f"/topics/{topic.pk}/").content.decode(), "topic-people"))

    assert "Peter Butcher" not in rows
    # Mearman's four AR works lose the hidden one and gain none of Butcher's (all shared).
    assert rows["Joseph Mearman"] == "3 works"


def test_topic_page_queries_do_not_grow_with_its_researchers(client):
    def topic_with(n: int) -> Topic:
        field = TopicFactory(level=Topic.Level.FIELD, openalex_id=f"fields/9{n}")
        topic = TopicFactory(parent=field)
        for _ in range(n):
            work = WorkFactory()
            WorkTopic.objects.create(work=work, topic=topic)
            AuthorshipFactory(work=work)
        return field

    def count(topic):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/topics/{topic.pk}/")
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    (small, _), (large, response) = count(topic_with(1)), count(topic_with(70))
    assert small == large <= 4
    assert len(_rows(response.content.decode(), "topic-people")) == 50
    assert "of 70" in response.content.decode()


@pytest.mark.parametrize("path", ["/topics/999999/", "/topics/T10888/", "/topics/0/"])
def test_an_unknown_or_malformed_topic_is_a_404_page(client, path):
    assert client.get(path).status_code == 404


# Links from the profile ------------------------------------------------------------------------


def test_profile_links_its_institution_and_the_slice_links_topics_inside_bzpeer(client, recorded):
    bangor = Institution.objects.get(openalex_id=BANGOR)
    profile = client.get(recorded.get_absolute_url()).content.decode()
    assert f'href="/institutions/{bangor.pk}/"' in profile

    graph_slice = client.get(f"/researchers/{recorded.pk}/graph/slice/").content.decode()
    topic = Topic.objects.get(openalex_id=AUGMENTED_REALITY)
    assert f'href="/topics/{topic.pk}/"' in graph_slice
    assert f'href="/institutions/{bangor.pk}/"' in graph_slice
    assert "openalex.org/T" not in graph_slice
