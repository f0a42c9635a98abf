"""Bad input gets a 400 or 404 with a JSON error that says what is wrong; never a 500."""

import pytest

from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory

pytestmark = pytest.mark.django_db

# The documented cap on page_size (README, API section).
PAGE_SIZE_CAP = 100
LISTS = ["/api/researchers/", "/api/works/", "/api/researchers/{pk}/works/"]


@pytest.fixture
def researcher(db):
    researcher = ResearcherFactory()
    return researcher


def error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"]
    assert body["code"]
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/researchers/abc/",
        "/api/researchers/0/",
        "/api/researchers/-1/",
        "/api/researchers/1e3/",
        "/api/researchers/99999999999999999999999/",
        "/api/researchers/%ED%A0%80/",
        "/api/researchers/%C3%A9/",
        "/api/researchers/abc/works/",
        "/api/works/abc/",
        "/api/works/1.5/",
        "/api/works/%00/",
        "/api/works/9223372036854775808/",
    ],
)
def test_malformed_ids_get_a_json_404(client, db, path):
    error(client.get(path), 404)


def test_unknown_ids_get_a_json_404(client, db):
    assert error(client.get("/api/researchers/424242/"), 404)["code"] == "not_found"
    error(client.get("/api/works/424242/"), 404)
    error(client.get("/api/researchers/424242/works/"), 404)


@pytest.mark.parametrize("path", LISTS)
def test_unknown_filters_are_refused_listing_the_allowed_ones(client, researcher, path):
    body = error(client.get(path.format(pk=researcher.pk), {"colour": "red"}), 400)
    assert body["code"] == "unknown_parameter"
    assert "colour" in body["detail"]
    assert "page_size" in body["allowed"]


def test_allowed_filters_are_listed_per_endpoint(client, db):
    body = error(client.get("/api/works/", {"yaer": "2020"}), 400)
    assert body["allowed"] == sorted(
        ["arxiv_id", "cursor", "doi", "openalex_id", "page_size", "q", "year"]
    )
    body = error(client.get("/api/researchers/", {"name": "x"}), 400)
    assert body["allowed"] == sorted(
        ["institution", "openalex_id", "orcid", "page", "page_size", "q", "topic"]
    )


@pytest.mark.parametrize("path", LISTS)
def test_huge_page_sizes_are_capped(client, researcher, path):
    # Five records past the cap on every list: researchers, works, and works of one of them.
    ResearcherFactory.create_batch(PAGE_SIZE_CAP + 4)
    for work in WorkFactory.create_batch(PAGE_SIZE_CAP + 5):
        AuthorshipFactory(work=work, researcher=researcher)
    body = client.get(path.format(pk=researcher.pk), {"page_size": "1000000000"}).json()
    assert len(body["results"]) == PAGE_SIZE_CAP
    assert body.get("count", PAGE_SIZE_CAP + 5) == PAGE_SIZE_CAP + 5  # page numbers count all
    assert body["previous"] is None
    assert body["next"]
    # The next page holds the five left over: the cap is the page size the links go on with.
    rest = client.get(body["next"]).json()
    assert len(rest["results"]) == 5
    assert rest["next"] is None
    seen = [item["id"] for item in body["results"] + rest["results"]]
    assert len(set(seen)) == PAGE_SIZE_CAP + 5


def test_page_size_is_capped_at_one_hundred(client, db):
    ResearcherFactory.create_batch(105)
    body = client.get("/api/researchers/", {"page_size": 10**9}).json()
    assert len(body["results"]) == 100


@pytest.mark.parametrize("page_size", ["-5", "abc", "0", "%"])
def test_nonsense_page_sizes_fall_back_to_the_default(client, db, page_size):
    ResearcherFactory.create_batch(30)
    body = client.get("/api/researchers/", {"page_size": page_size}).json()
    assert len(body["results"]) == 25


@pytest.mark.parametrize("page", ["abc", "0", "999", "-1"])
def test_bad_page_numbers_get_a_json_400_naming_the_range(client, db, page):
    ResearcherFactory()
    body = error(client.get("/api/researchers/", {"page": page}), 400)
    assert body == {
        "detail": "page must be a whole number from 1 to 1 (or last).",
        "code": "bad_page",
    }


def test_a_bad_cursor_gets_a_json_404(client, db):
    error(client.get("/api/works/", {"cursor": "not-a-cursor"}), 404)
    error(client.get("/api/works/", {"cursor": "%ED%A0%80"}), 404)


@pytest.mark.parametrize("path", ["/api/researchers/", "/api/works/"])
def test_very_long_queries_are_refused(client, db, path):
    body = error(client.get(path, {"q": "a" * 201}), 400)
    assert body["code"] == "too_long"


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE profiles_researcher; --",
        "1 OR 1=1",
        "%",
        "_",
        "\\",
        "(((",
        "[a-",
        "a:* & !b",
        "\ufffd\ufffd",
        "\U0001f600 emoji",
        "ﬁ ligature",
        "Ω≈ç√",
        "\u202eright-to-left",
    ],
)
@pytest.mark.parametrize("path", ["/api/researchers/", "/api/works/"])
def test_odd_queries_are_just_searched(client, db, path, query):
    ResearcherFactory(display_name="Joseph Mearman")
    WorkFactory(title="A title")
    response = client.get(path, {"q": query})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", ["/api/researchers/", "/api/works/"])
def test_nul_characters_are_refused(client, db, path):
    assert error(client.get(path, {"q": "mear\x00man"}), 400)["code"] == "bad_character"


def test_broken_utf8_in_the_query_string_is_not_a_500(client, db):
    response = client.get("/api/researchers/?q=%ED%A0%80%FF")
    assert response.status_code == 200


@pytest.mark.parametrize("year", ["abc", "20x1", "1e9", "99999999999999999999", "-1"])
def test_bad_years_are_refused(client, db, year):
    body = error(client.get("/api/works/", {"year": year}), 400)
    assert "year" in body["errors"]


@pytest.mark.parametrize(
    "params",
    [
        {"institution": "99999999999999999999999999"},
        {"topic": "99999999999999999999999999"},
        {"institution": "%00"},
        {"openalex_id": "' OR 1=1"},
        {"orcid": "https://orcid.org/'; --"},
    ],
)
def test_odd_researcher_filters_find_nothing_instead_of_failing(client, db, params):
    ResearcherFactory()
    response = client.get("/api/researchers/", params)
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []


def test_anonymous_writes_are_refused_with_json(client, researcher):
    response = client.post("/api/researchers/", {"display_name": "x"})
    assert response.status_code in (401, 403)
    assert response.json()["detail"]
    assert client.delete(f"/api/works/{WorkFactory().pk}/").status_code in (401, 403)


def test_signed_in_users_cannot_write_either(client, researcher, stranger):
    client.force_login(stranger)
    response = client.post(
        "/api/researchers/", {"display_name": "x"}, content_type="application/json"
    )
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
