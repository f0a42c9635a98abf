"""/api/researchers/ and /api/researchers/<id>/(works/) on the recorded data."""

import pytest

from tests.factories import AuthorshipFactory, ResearcherFactory, TopicFactory, WorkFactory
from tests.search.recorded import PREPRINT, PUBLISHED
from works.models import Affiliation, Institution, Researcher, Topic, Work, WorkTopic

pytestmark = pytest.mark.django_db


def results(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def names(client, **params):
    return [r["display_name"] for r in results(client, "/api/researchers/", **params)]


def test_the_list_is_public_paginated_and_ordered_by_name(client, mearman):
    body = client.get("/api/researchers/").json()
    assert body["count"] == Researcher.objects.canonical().count()
    assert len(body["results"]) == min(25, body["count"])
    expected = Researcher.objects.canonical().order_by("display_name", "pk")[:25]
    assert [r["display_name"] for r in body["results"]] == [r.display_name for r in expected]


def test_merged_records_are_not_listed(client, mearman):
    duplicate = ResearcherFactory(display_name="Joseph Mearman", merged_into=mearman)
    ids = [r["id"] for r in results(client, "/api/researchers/", q="Joseph Mearman")]
    assert mearman.pk in ids
    assert duplicate.pk not in ids


def test_filter_by_openalex_id_accepts_the_url_form(client, mearman):
    assert names(client, openalex_id="A5017898742") == ["Joseph Mearman"]
    assert names(client, openalex_id="https://openalex.org/a5017898742") == ["Joseph Mearman"]


def test_filter_by_orcid_accepts_bare_and_url_forms(client, mearman):
    assert names(client, orcid="0000-0001-7718-3181") == ["Jonathan C. Roberts"]
    assert names(client, orcid="https://orcid.org/0000-0001-7718-3181") == ["Jonathan C. Roberts"]
    assert names(client, orcid="not-an-orcid") == []


def test_filter_by_orcid_refuses_a_wrong_check_digit_with_a_reason(client, mearman):
    # 0000-0001-7718-3181 with its last digit mistyped: a typo, not an unknown iD.
    response = client.get("/api/researchers/", {"orcid": "0000-0001-7718-3182"})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_orcid"
    assert "should be 1" in response.json()["detail"]


def test_filter_by_institution_reads_ror_and_openalex_urls(client, mearman):
    bangor = mearman.last_known_institution
    assert bangor.ror
    bare_ror = bangor.ror.rsplit("/", 1)[-1]
    by_pk = names(client, institution=str(bangor.pk))
    assert "Joseph Mearman" in by_pk
    for value in (f"ror.org/{bare_ror.upper()}", f"https://openalex.org/{bangor.openalex_id}"):
        assert names(client, institution=value) == by_pk
    assert names(client, institution="not an institution") == []


def test_q_searches_names_accent_and_case_insensitively(client, mearman):
    assert names(client, q="Mearman J")[0] == "Joseph Mearman"
    assert "Frédéric Labrosse" in names(client, q="frederic")


def test_filter_by_institution_id_openalex_id_or_ror(client, mearman):
    bangor = mearman.last_known_institution
    assert bangor is not None
    by_pk = names(client, institution=str(bangor.pk))
    assert "Joseph Mearman" in by_pk
    assert "Jason Priem" not in by_pk
    assert names(client, institution=bangor.openalex_id) == by_pk
    if bangor.ror:
        assert names(client, institution=f"https://ror.org/{bangor.ror.rsplit('/', 1)[-1]}")
    assert names(client, institution="999999999") == []


def test_filter_by_institution_includes_past_affiliations(client, db):
    past = Institution.objects.create(display_name="Old Place", openalex_id="I1")
    researcher = ResearcherFactory(display_name="Ada Past")
    Affiliation.objects.create(researcher=researcher, institution=past, years=[2001])
    assert names(client, institution="I1") == ["Ada Past"]


def test_filter_by_topic_id_or_openalex_id(client, mearman):
    topic = Topic.objects.filter(work_topics__work__authorships__researcher=mearman).first()
    assert topic is not None
    by_pk = names(client, topic=str(topic.pk))
    assert "Joseph Mearman" in by_pk
    assert names(client, topic=topic.openalex_id) == by_pk
    url = f"https://openalex.org/{topic.openalex_id.lower()}"
    assert names(client, topic=url) == by_pk
    assert names(client, topic="T0") == []


def test_topic_filter_ignores_hidden_works(client, db):
    topic = TopicFactory(openalex_id="T77")
    work = WorkFactory(is_hidden=True)
    WorkTopic.objects.create(work=work, topic=topic)
    AuthorshipFactory(work=work, researcher__display_name="Hidden Author")
    assert names(client, topic="T77") == []


def test_detail_has_identity_counts_trust_and_summary(client, mearman):
    body = client.get(f"/api/researchers/{mearman.pk}/").json()
    assert body["display_name"] == "Joseph Mearman"
    assert body["openalex_id"] == "A5017898742"
    assert "J. W. Mearman" in body["display_name_alternatives"]
    assert body["institution"]["display_name"] == "Bangor University"
    # Nine recorded works, the preprint counted with its published version.
    assert body["works_count"] == 8
    for key in ("followers_count", "topics_count", "close_collaborators_count"):
        assert isinstance(body[key], int)
    assert body["claimed"] is False
    assert body["trust_band"]
    assert body["verification_level"] == mearman.verification_level
    assert body["summary"]
    assert body["works_url"] == f"/api/researchers/{mearman.pk}/works/"


def test_detail_counts_only_visible_works(client, mearman):
    Work.objects.filter(openalex_id="W2978758657").update(is_hidden=True)
    assert client.get(f"/api/researchers/{mearman.pk}/").json()["works_count"] == 7


def test_detail_shows_the_owner_summary_and_claimed_state(client, mearman, owner):
    Researcher.objects.filter(pk=mearman.pk).update(summary="I build visualisations.", owner=owner)
    body = client.get(f"/api/researchers/{mearman.pk}/").json()
    assert body["summary"] == "I build visualisations."
    assert body["claimed"] is True


def test_detail_of_a_merged_record_says_where_it_went(client, mearman):
    duplicate = ResearcherFactory(merged_into=mearman)
    assert client.get(f"/api/researchers/{duplicate.pk}/").json()["merged_into"] == mearman.pk


def test_researcher_works_list_the_preprint_under_its_published_version(client, mearman):
    works = results(client, f"/api/researchers/{mearman.pk}/works/")
    ids = [w["openalex_id"] for w in works]
    assert len(works) == 8
    assert PREPRINT not in ids
    published = next(w for w in works if w["openalex_id"] == PUBLISHED)
    assert [v["openalex_id"] for v in published["versions"]] == [PREPRINT]


def test_researcher_works_are_newest_first(client, mearman):
    years = [
        w["publication_year"] for w in results(client, f"/api/researchers/{mearman.pk}/works/")
    ]
    assert years == sorted(years, reverse=True)


def test_researcher_works_never_show_hidden_works(client, mearman):
    Work.objects.filter(openalex_id="W2978758657").update(is_hidden=True)
    ids = [w["openalex_id"] for w in results(client, f"/api/researchers/{mearman.pk}/works/")]
    assert "W2978758657" not in ids
    assert len(ids) == 7


def test_a_preprint_whose_published_version_is_hidden_is_listed_itself(client, mearman):
    Work.objects.filter(openalex_id=PUBLISHED).update(is_hidden=True)
    ids = [w["openalex_id"] for w in results(client, f"/api/researchers/{mearman.pk}/works/")]
    assert PREPRINT in ids
    assert PUBLISHED not in ids


def test_researcher_works_are_cursor_paginated(client, mearman):
    first = client.get(f"/api/researchers/{mearman.pk}/works/", {"page_size": 3}).json()
    assert len(first["results"]) == 3
    seen = [w["id"] for w in first["results"]]
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [w["id"] for w in page["results"]]
    assert len(seen) == len(set(seen)) == 8


def test_work_authors_link_to_researchers(client, mearman):
    works = results(client, f"/api/researchers/{mearman.pk}/works/")
    authors = [a for w in works for a in w["authors"]]
    assert any(a["researcher"] == mearman.pk and a["name"] == "Joseph Mearman" for a in authors)


def test_researcher_list_query_count_does_not_grow(client, db, django_assert_max_num_queries):
    for _ in range(30):
        AuthorshipFactory(researcher__last_known_institution=None)
    with django_assert_max_num_queries(3):
        assert client.get("/api/researchers/").status_code == 200


def test_researcher_works_query_count_does_not_grow(client, db, django_assert_max_num_queries):
    researcher = ResearcherFactory()
    for _ in range(20):
        work = WorkFactory()
        AuthorshipFactory(work=work, researcher=researcher)
        AuthorshipFactory(work=work, order=1)
        WorkFactory(version_of=work)
    with django_assert_max_num_queries(5):
        response = client.get(f"/api/researchers/{researcher.pk}/works/")
    assert len(response.json()["results"]) == 20


def test_researcher_detail_query_count_is_bounded(client, mearman, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/researchers/{mearman.pk}/").status_code == 200
