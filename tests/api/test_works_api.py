"""/api/works/ and /api/works/<id>/ on the recorded data."""

import pytest

from tests.factories import AuthorshipFactory, TopicFactory, WorkFactory
from tests.search.recorded import PREPRINT, PUBLISHED, STATE_OF_OA
from works.models import Work, WorkTopic

pytestmark = pytest.mark.django_db


def openalex_ids(client, **params) -> list[str]:
    response = client.get("/api/works/", params)
    assert response.status_code == 200, response.content
    return [w["openalex_id"] for w in response.json()["results"]]


def test_the_list_is_public_and_newest_records_first(client, mearman):
    body = client.get("/api/works/").json()
    ids = [w["id"] for w in body["results"]]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == Work.objects.visible().count() == 10


def test_hidden_works_never_appear(client, mearman):
    Work.objects.filter(openalex_id=STATE_OF_OA).update(is_hidden=True)
    assert STATE_OF_OA not in openalex_ids(client)
    assert (
        client.get(f"/api/works/{Work.objects.get(openalex_id=STATE_OF_OA).pk}/").status_code == 404
    )
    assert openalex_ids(client, openalex_id=STATE_OF_OA) == []


def test_filter_by_doi_in_any_pasted_form(client, mearman):
    for doi in ("10.1145/2795233", "https://doi.org/10.1145/2795233", "DOI:10.1145/2795233"):
        assert openalex_ids(client, doi=doi) == ["W2250748100"]
    assert openalex_ids(client, doi="http://dx.doi.org/10.1145/2795233") == ["W2250748100"]
    assert openalex_ids(client, doi="not a doi") == []


def test_filter_by_arxiv_id_ignores_prefix_and_version(client, mearman):
    preprint = Work.objects.get(openalex_id=PREPRINT)
    Work.objects.filter(pk=preprint.pk).update(arxiv_id="2108.04680")
    for arxiv_id in ("2108.04680", "arXiv:2108.04680v2", "https://arxiv.org/abs/2108.04680"):
        assert openalex_ids(client, arxiv_id=arxiv_id) == [PREPRINT]
    assert openalex_ids(client, arxiv_id="not an arxiv id") == []


def test_filter_by_openalex_id(client, mearman):
    assert openalex_ids(client, openalex_id="w3187234764") == [PUBLISHED]
    assert openalex_ids(client, openalex_id="https://openalex.org/W3187234764") == [PUBLISHED]


def test_filter_by_year(client, mearman):
    ids = openalex_ids(client, year=2021)
    assert set(ids) == {PREPRINT, PUBLISHED}
    assert openalex_ids(client, year=1800) == []


def test_q_searches_titles_and_abstracts(client, mearman):
    assert openalex_ids(client, q="papercraft") == ["W2978758657"]
    assert openalex_ids(client, q="zzyzx") == []


def test_filters_combine(client, mearman):
    assert openalex_ids(client, q="visualisations", year=2019) == ["W2978758657"]


def test_a_version_shows_its_main_entry_and_the_main_entry_its_versions(client, mearman):
    preprint = Work.objects.get(openalex_id=PREPRINT)
    published = Work.objects.get(openalex_id=PUBLISHED)
    body = client.get(f"/api/works/{published.pk}/").json()
    assert [v["id"] for v in body["versions"]] == [preprint.pk]
    assert client.get(f"/api/works/{preprint.pk}/").json()["version_of"] == published.pk


def test_hidden_versions_are_not_shown_under_their_main_entry(client, mearman):
    Work.objects.filter(openalex_id=PREPRINT).update(is_hidden=True)
    published = Work.objects.get(openalex_id=PUBLISHED)
    assert client.get(f"/api/works/{published.pk}/").json()["versions"] == []


def test_detail_has_abstract_topics_authors_and_links(client, mearman):
    work = Work.objects.get(openalex_id="W2250748100")
    body = client.get(f"/api/works/{work.pk}/").json()
    assert body["title"] == work.title
    assert body["abstract"] == work.abstract
    assert body["doi_url"] == "https://doi.org/10.1145/2795233"
    assert body["html_url"] == f"/works/{work.pk}/"
    assert [a["name"] for a in body["authors"]][:2] == ["Helen Cabot Miles", "Andrew T. Wilson"]
    assert len(body["authors"]) == 11
    topic_names = {t["display_name"] for t in body["topics"]}
    assert {"3D Surveying and Cultural Heritage", "Robotics and Sensor-Based Localization"} <= (
        topic_names
    )


def test_detail_topics_come_with_their_scores(client, db):
    work = WorkFactory()
    WorkTopic.objects.create(work=work, topic=TopicFactory(display_name="Graphs"), score=0.9)
    topics = client.get(f"/api/works/{work.pk}/").json()["topics"]
    assert [(t["display_name"], t["score"]) for t in topics] == [("Graphs", 0.9)]


def test_abstracts_are_returned_verbatim_as_json_text(client, db):
    work = WorkFactory(abstract="<script>alert(1)</script>")
    assert client.get(f"/api/works/{work.pk}/").json()["abstract"] == "<script>alert(1)</script>"


def test_works_are_cursor_paginated_without_duplicates(client, mearman):
    page = client.get("/api/works/", {"page_size": 4}).json()
    seen = [w["id"] for w in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [w["id"] for w in page["results"]]
    assert len(seen) == len(set(seen)) == 10


def test_work_list_query_count_does_not_grow(client, db, django_assert_max_num_queries):
    for _ in range(25):
        work = WorkFactory()
        AuthorshipFactory(work=work)
        AuthorshipFactory(work=work, order=1, researcher=None, raw_author_name="Anon")
        WorkFactory(version_of=work)
    with django_assert_max_num_queries(4):
        response = client.get("/api/works/")
    assert len(response.json()["results"]) == 25


def test_work_detail_query_count_is_bounded(client, mearman, django_assert_max_num_queries):
    work = Work.objects.get(openalex_id=PUBLISHED)
    with django_assert_max_num_queries(5):
        assert client.get(f"/api/works/{work.pk}/").status_code == 200
