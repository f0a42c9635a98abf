"""/search/: a plain GET form, and the results partial for htmx requests."""

import pytest

from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory

pytestmark = pytest.mark.django_db


def test_the_page_finds_researchers_and_works(client, mearman):
    response = client.get("/search/", {"q": "Mearman J"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html  # the whole page: this works without JavaScript
    assert f'href="/researchers/{mearman.pk}/" dir="auto">Joseph Mearman</a>' in html
    assert [r.display_name for r in response.context["researchers"]] == ["Joseph Mearman"]


def test_the_page_finds_works_by_title(client, mearman):
    response = client.get("/search/", {"q": "papercraft"})
    assert [w.title for w in response.context["works"]] == [
        "Tangible papercraft visualisations for education"
    ]


def test_the_search_box_asks_htmx_for_results_while_typing(client, db):
    html = client.get("/search/").content.decode()
    assert 'hx-get="/search/"' in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-target="#search-results"' in html
    assert 'id="search-results"' in html
    assert 'method="get" action="/search/"' in html


def test_an_htmx_request_gets_only_the_results_partial(client, mearman):
    response = client.get("/search/", {"q": "frederic"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Frédéric Labrosse" in html
    assert "HX-Request" in response["Vary"]


def test_the_header_box_gets_the_whole_page_to_take_its_main(client, mearman):
    response = client.get(
        "/search/", {"q": "frederic"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main"
    )
    html = response.content.decode()
    assert '<main id="main"' in html and "Frédéric Labrosse" in html
    assert "HX-Target" in response["Vary"]


def test_an_htmx_history_restore_gets_the_whole_page(client, db):
    response = client.get(
        "/search/", {"q": "x"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_an_empty_query_shows_a_hint_and_no_results(client, db):
    response = client.get("/search/")
    assert response.status_code == 200
    assert response.context["researchers"] == []
    assert "Type a name" in response.content.decode()


def test_no_match_says_so(client, mearman):
    html = client.get("/search/", {"q": "zzyzx"}).content.decode()
    assert "No researcher" in html
    assert "No work" in html


@pytest.mark.parametrize("query", ["x" * 201, "mear\x00man"])
def test_unsearchable_queries_are_a_400_with_a_message(client, db, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("query", ["'; DROP TABLE works_work; --", "%", "(((", "\U0001f600"])
def test_odd_queries_are_just_searched(client, db, query):
    assert client.get("/search/", {"q": query}).status_code == 200


def test_result_text_is_escaped(client, db):
    researcher = ResearcherFactory(display_name="Mallory <img src=x onerror=alert(1)>")
    AuthorshipFactory(
        researcher=researcher, work=WorkFactory(title="Mallory <script>alert(1)</script>")
    )
    html = client.get("/search/", {"q": "Mallory"}).content.decode()
    assert "<img src=x" not in html
    assert "<script>alert(1)" not in html
    assert "Mallory &lt;script&gt;" in html


def test_the_query_count_does_not_grow_with_results(client, db, django_assert_max_num_queries):
    for n in range(20):
        work = WorkFactory(title=f"Mearman study {n}")
        AuthorshipFactory(work=work, researcher=ResearcherFactory(display_name=f"Jo Mearman {n}"))
        AuthorshipFactory(work=work, order=1)
    with django_assert_max_num_queries(6):
        response = client.get("/search/", {"q": "mearman"})
    assert len(response.context["researchers"]) == 20
    assert len(response.context["works"]) == 20


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql", reason="PostgreSQL full text"
)
def test_a_common_word_is_ranked_among_a_bounded_number_of_matches(client, db, monkeypatch):
    """However many works a word is found in, the page ranks at most RANKED_WORKS of them, so
    a common word costs the same on a big database as on a small one."""
    from profiles import search

    for n in range(5):
        WorkFactory(title=f"Glacier melt study {n}")
    WorkFactory(title="Unrelated history of papermaking")

    monkeypatch.setattr(search, "RANKED_WORKS", 3)
    bounded = [w.title for w in client.get("/search/", {"q": "glacier"}).context["works"]]
    monkeypatch.setattr(search, "RANKED_WORKS", 10)
    complete = [w.title for w in client.get("/search/", {"q": "glacier"}).context["works"]]

    assert len(bounded) == 3 and set(bounded) < set(complete)
    assert sorted(complete) == [f"Glacier melt study {n}" for n in range(5)]
