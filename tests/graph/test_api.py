"""The graph API: collaborators and the network around a researcher."""

import pytest
from django.test import override_settings

from tests.factories import ResearcherFactory
from tests.graph.test_views import grow

pytestmark = pytest.mark.django_db


def test_collaborators_come_most_shared_first_with_ids_years_and_closeness(client, mearman):
    response = client.get(f"/api/researchers/{mearman.pk}/collaborators/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 17
    first = body["results"][0]
    assert first["display_name"] in {"Jonathan C. Roberts", "Panagiotis D. Ritsos"}
    assert first["shared_works_count"] == 7
    assert (first["first_year"], first["last_year"]) == (2014, 2021)
    assert first["is_close"] is True
    assert first["openalex_id"] in {"A5009341822", "A5065371627"}
    counts = [row["shared_works_count"] for row in body["results"]]
    assert counts == sorted(counts, reverse=True)
    assert sum(row["is_close"] for row in body["results"]) == 2
    with override_settings(BZPEER_CLOSE_COLLABORATOR_MIN_SHARED_WORKS=2):
        body = client.get(f"/api/researchers/{mearman.pk}/collaborators/").json()
    assert sum(row["is_close"] for row in body["results"]) == 10


def test_collaborators_are_paginated(client, mearman):
    body = client.get(f"/api/researchers/{mearman.pk}/collaborators/?page_size=5").json()
    assert len(body["results"]) == 5
    assert body["next"]


def test_an_unknown_researcher_is_404_json(client):
    for url in ("/api/researchers/999999/collaborators/", "/api/researchers/999999/graph/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "detail" in response.json()


@pytest.mark.parametrize("depth", ["0", "3", "two", ""])
def test_a_bad_depth_is_a_400_json_error(client, depth):
    researcher = ResearcherFactory()
    response = client.get(f"/api/researchers/{researcher.pk}/graph/?depth={depth}")
    assert response.status_code == 400
    assert "depth must be 1 or 2" in response.json()["detail"]


def test_the_graph_has_typed_nodes_and_edges_keyed_by_kind_and_pk(client, mearman):
    body = client.get(f"/api/researchers/{mearman.pk}/graph/?depth=1").json()
    assert body["center"] == f"researcher:{mearman.pk}"
    assert body["depth"] == 1
    kinds = {node["type"] for node in body["nodes"]}
    assert kinds == {"researcher", "work", "topic", "institution"}
    ids = {node["id"] for node in body["nodes"]}
    assert all(node["id"] == f"{node['type']}:{node['pk']}" for node in body["nodes"])
    people = [n for n in body["nodes"] if n["type"] == "researcher" and n["depth"] == 1]
    assert len(people) == 17
    assert sum(n["close"] for n in people) == 2
    works = [n for n in body["nodes"] if n["type"] == "work"]
    assert len(works) == 8  # the preprint/published pair is one paper
    for edge in body["edges"]:
        assert edge["source"] in ids
        assert edge["target"] in ids
    edge_types = {edge["type"] for edge in body["edges"]}
    assert {"coauthor", "authored", "topic", "affiliated", "about"} <= edge_types


def test_depth_two_reaches_the_collaborators_of_collaborators(client, mearman):
    from graph.actions import refresh_researchers

    roberts = next(
        n
        for n in client.get(f"/api/researchers/{mearman.pk}/graph/").json()["nodes"]
        if n["label"] == "Jonathan C. Roberts"
    )
    stranger = ResearcherFactory(display_name="Only Roberts knows me")
    from tests.factories import AuthorshipFactory, WorkFactory

    for _ in range(3):  # enough to be among Roberts's strongest collaborators
        work = WorkFactory()
        AuthorshipFactory(work=work, researcher_id=roberts["pk"], order=0)
        AuthorshipFactory(work=work, researcher=stranger, order=1)
    refresh_researchers([stranger.pk])

    one = client.get(f"/api/researchers/{mearman.pk}/graph/?depth=1").json()
    two = client.get(f"/api/researchers/{mearman.pk}/graph/?depth=2").json()
    assert f"researcher:{stranger.pk}" not in {n["id"] for n in one["nodes"]}
    far = next(n for n in two["nodes"] if n["id"] == f"researcher:{stranger.pk}")
    assert far["depth"] == 2
    assert len(two["nodes"]) <= 500


@pytest.mark.parametrize("works", [3, 40])
def test_the_api_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries, works):
    researcher = ResearcherFactory()
    grow(researcher, works=works, coauthors=min(works, 15))
    with django_assert_max_num_queries(3):
        assert client.get(f"/api/researchers/{researcher.pk}/collaborators/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/api/researchers/{researcher.pk}/graph/?depth=2").status_code == 200


def test_the_endpoints_are_in_the_openapi_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    collaborators = schema["paths"]["/api/researchers/{id}/collaborators/"]["get"]
    network = schema["paths"]["/api/researchers/{id}/graph/"]["get"]
    assert "404" in collaborators["responses"]
    assert {"200", "400", "404"} <= set(network["responses"])
    assert any(p["name"] == "depth" for p in network["parameters"])
