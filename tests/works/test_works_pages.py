"""/works/ (browse) and /works/<id>/ (one work) on the recorded data."""

import pytest

from tests.factories import AuthorshipFactory, TopicFactory, WorkFactory
from tests.search.recorded import PREPRINT, PUBLISHED, import_recorded
from works.models import Work, WorkTopic

pytestmark = pytest.mark.django_db


@pytest.fixture
def mearman(db):
    return import_recorded()


def test_the_list_shows_visible_works_newest_first_with_linked_authors(client, mearman):
    response = client.get("/works/")
    assert response.status_code == 200
    html = response.content.decode()
    shown = list(response.context["page_obj"].object_list)
    years = [w.publication_year for w in shown]
    assert years == sorted(years, reverse=True)
    assert f'href="/researchers/{mearman.pk}/">Joseph Mearman</a>' in html
    assert "Tangible papercraft visualisations for education" in html


def test_the_list_shows_a_preprint_under_its_published_version(client, mearman):
    shown = list(client.get("/works/").context["page_obj"].object_list)
    ids = [w.openalex_id for w in shown]
    assert PUBLISHED in ids
    assert PREPRINT not in ids
    preprint = Work.objects.get(openalex_id=PREPRINT)
    assert f'href="/works/{preprint.pk}/"' in client.get("/works/").content.decode()


def test_the_list_never_shows_hidden_works(client, mearman):
    Work.objects.filter(title__startswith="Tangible papercraft").update(is_hidden=True)
    assert "Tangible papercraft" not in client.get("/works/").content.decode()


def test_the_list_filters_by_year_and_type(client, mearman):
    by_year = client.get("/works/", {"year": 2014}).context["page_obj"].object_list
    assert {w.publication_year for w in by_year} == {2014}
    assert len(by_year) == 3
    WorkFactory(type="dataset", title="A dataset of things", publication_year=2014)
    by_type = client.get("/works/", {"type": "dataset"}).context["page_obj"].object_list
    assert [w.title for w in by_type] == ["A dataset of things"]
    both = client.get("/works/", {"type": "article", "year": 2014}).context["page_obj"]
    assert len(both.object_list) == 3


def test_bad_filters_are_a_400_with_a_message_not_a_500(client, db):
    response = client.get("/works/", {"year": "abc"})
    assert response.status_code == 400
    assert "year" in response.content.decode()
    assert client.get("/works/", {"type": "x" * 500}).status_code == 400
    assert client.get("/works/", {"page": "abc"}).status_code == 200


def test_the_list_is_paginated_keeping_filters(client, db, settings):
    settings.BZPEER_WORKS_PER_PAGE = 2
    WorkFactory.create_batch(5, publication_year=2020)
    response = client.get("/works/", {"year": 2020})
    assert len(response.context["page_obj"].object_list) == 2
    assert "year=2020" in response.content.decode().split('rel="next"')[1].split(">")[0]


def test_the_list_query_count_does_not_grow(client, db, django_assert_max_num_queries):
    for _ in range(30):
        work = WorkFactory()
        AuthorshipFactory(work=work)
        AuthorshipFactory(work=work, order=1, researcher=None, raw_author_name="Anon")
        WorkFactory(version_of=work)
    with django_assert_max_num_queries(7):
        assert client.get("/works/").status_code == 200


def test_the_detail_page_shows_the_work(client, mearman):
    work = Work.objects.get(openalex_id="W2250748100")
    WorkTopic.objects.create(work=work, topic=TopicFactory(display_name="Heritage Imaging"))
    response = client.get(f"/works/{work.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert work.title in html
    assert 'href="https://doi.org/10.1145/2795233"' in html
    assert f'href="/researchers/{mearman.pk}/">Joseph Mearman</a>' in html
    assert "Heritage Imaging" in html
    assert work.venue in html


def test_the_detail_page_links_versions_both_ways(client, mearman):
    preprint = Work.objects.get(openalex_id=PREPRINT)
    published = Work.objects.get(openalex_id=PUBLISHED)
    Work.objects.filter(pk=preprint.pk).update(arxiv_id="2108.04680")
    html = client.get(f"/works/{published.pk}/").content.decode()
    assert f'href="/works/{preprint.pk}/"' in html
    html = client.get(f"/works/{preprint.pk}/").content.decode()
    assert f'This is a version of <a href="/works/{published.pk}/"' in html
    assert 'href="https://arxiv.org/abs/2108.04680"' in html


def test_the_abstract_and_title_are_escaped(client, db):
    work = WorkFactory(title="<b>Bold</b> claims", abstract='<script>alert("x")</script>')
    html = client.get(f"/works/{work.pk}/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; claims" in html


def test_unsafe_landing_page_urls_are_not_linked(client, db):
    work = WorkFactory(landing_page_url="javascript:alert(1)")
    assert "javascript:" not in client.get(f"/works/{work.pk}/").content.decode()


def test_hidden_and_unknown_works_are_404(client, db):
    hidden = WorkFactory(is_hidden=True)
    assert client.get(f"/works/{hidden.pk}/").status_code == 404
    assert client.get("/works/424242/").status_code == 404
    assert client.get("/works/abc/").status_code == 404


def test_the_detail_query_count_does_not_grow(client, db, django_assert_max_num_queries):
    work = WorkFactory()
    for order in range(40):
        AuthorshipFactory(work=work, order=order)
    for _ in range(5):
        WorkTopic.objects.create(work=work, topic=TopicFactory())
        WorkFactory(version_of=work)
    # The work, its authors, topics and versions, and one query each for the works held here
    # that cite it and that it cites.
    with django_assert_max_num_queries(6):
        assert client.get(f"/works/{work.pk}/").status_code == 200
