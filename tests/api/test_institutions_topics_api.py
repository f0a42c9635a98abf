"""/api/institutions/ and /api/topics/ on the recorded OpenAlex data."""

import pytest

from graph.actions import refresh_researchers
from profiles.models import ResearcherTopic
from works.models import Institution, Researcher, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(mearman):
    refresh_researchers(Researcher.objects.values_list("pk", flat=True))
    return mearman


def _walk(client, url: str) -> list[dict]:
    """Every result of a cursor-paginated list, following ``next``."""
    results = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        results += body["results"]
        url = body["next"]
    return results


def test_institution_list_walks_every_institution_by_name(client, recorded):
    results = _walk(client, "/api/institutions/?page_size=7")

    assert [r["id"] for r in results] == list(
        Institution.objects.order_by("display_name", "pk").values_list("pk", flat=True)
    )
    bangor = next(r for r in results if r["openalex_id"] == "I161548249")
    assert bangor["ror_url"] == "https://ror.org/006jb1a24"
    assert bangor["type"] == "funder" and bangor["type_label"] == "Research funder"
    assert bangor["current_researchers_count"] == 8
    assert bangor["html_url"] == f"/institutions/{bangor['id']}/"


def test_institution_detail_lists_researchers_by_listed_works_and_its_topics(client, recorded):
    bangor = Institution.objects.get(openalex_id="I161548249")
    Researcher.objects.filter(display_name="Peter Butcher").update(merged_into=recorded)

    body = client.get(f"/api/institutions/{bangor.pk}/").json()

    names = [r["display_name"] for r in body["researchers"]]
    assert names[0] == "Joseph Mearman" and body["researchers"][0]["works_count"] == 8
    assert "Peter Butcher" not in names and body["researchers_count"] == 7
    counts = [r["works_count"] for r in body["researchers"]]
    assert counts == sorted(counts, reverse=True)
    assert body["topics"][0]["display_name"] == "3D Surveying and Cultural Heritage"
    assert body["topics"][0]["url"] == f"/api/topics/{body['topics'][0]['id']}/"


def test_topic_list_filters_by_level_and_parent(client, recorded):
    fields = _walk(client, "/api/topics/?level=field")
    computer_science = next(f for f in fields if f["openalex_id"] == "fields/17")
    children = _walk(client, f"/api/topics/?parent={computer_science['id']}")

    assert {f["level"] for f in fields} == {"field"}
    assert {c["openalex_id"] for c in children} == set(
        Topic.objects.filter(parent_id=computer_science["id"]).values_list("openalex_id", flat=True)
    )
    assert {c["level"] for c in children} == {"subfield"}


def test_topic_detail_gives_ancestors_children_and_researchers(client, recorded):
    topic = Topic.objects.get(openalex_id="T10888")

    body = client.get(f"/api/topics/{topic.pk}/").json()

    assert [a["openalex_id"] for a in body["ancestors"]] == [
        "domains/3",
        "fields/17",
        "subfields/1707",
    ]
    assert body["children"] == []
    stored = dict(
        ResearcherTopic.objects.filter(topic=topic).values_list("researcher_id", "works_count")
    )
    assert {r["id"]: r["works_count"] for r in body["researchers"]} == stored
    assert body["researchers_count"] == len(stored)


@pytest.mark.parametrize(
    "path", ["/api/institutions/abc/", "/api/institutions/-1/", "/api/topics/T10888/"]
)
def test_malformed_ids_get_the_api_json_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/institutions/999999/", "/api/topics/999999/"])
def test_unknown_ids_get_the_api_json_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/api/institutions/?colour=red", "/api/topics/?colour=red", "/api/topics/?level=x"]
)
def test_unknown_parameters_and_values_are_a_json_400(client, db, path):
    response = client.get(path)
    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "code"}


def test_the_schema_documents_the_new_endpoints(client, db):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path in (
        "/api/institutions/",
        "/api/institutions/{id}/",
        "/api/topics/",
        "/api/topics/{id}/",
    ):
        assert "get" in paths[path], path


def test_detail_queries_do_not_depend_on_the_data(client, recorded, django_assert_max_num_queries):
    bangor = Institution.objects.get(openalex_id="I161548249")
    topic = Topic.objects.get(openalex_id="fields/17")
    with django_assert_max_num_queries(4):
        client.get(f"/api/institutions/{bangor.pk}/")
    with django_assert_max_num_queries(4):
        client.get(f"/api/topics/{topic.pk}/")
