"""Page numbers on every page-numbered list: 1 to the last page, anything else a declared 400."""

import pytest
from rest_framework.authtoken.models import Token

from follows.models import Follow
from tests.factories import ResearcherFactory
from tests.factories_claims import ClaimFactory

pytestmark = pytest.mark.django_db

ME_LISTS = ["/api/me/claims/", "/api/me/follows/"]


@pytest.fixture
def api(client, follower):
    token = Token.objects.create(user=follower)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


@pytest.fixture
def two_pages_each(follower):
    for researcher in ResearcherFactory.create_batch(3):
        Follow.objects.create(user=follower, researcher=researcher)
        ClaimFactory(claimant=follower, researcher=researcher)


@pytest.mark.parametrize("path", ME_LISTS)
@pytest.mark.parametrize("page", ["0", "-1", "3", "999", "abc"])
def test_a_page_outside_the_list_is_a_400_naming_the_range(api, two_pages_each, path, page):
    response = api.get(path, {"page": page, "page_size": 2})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "page must be a whole number from 1 to 2 (or last).",
        "code": "bad_page",
    }


@pytest.mark.parametrize("path", ME_LISTS)
def test_the_pages_in_range_answer(api, two_pages_each, path):
    first = api.get(path, {"page_size": 2}).json()
    last = api.get(path, {"page": "last", "page_size": 2}).json()
    assert (len(first["results"]), first["count"]) == (2, 3)
    assert last["results"] and last["next"] is None
    assert api.get(path, {"page": 2, "page_size": 2}).status_code == 200


@pytest.mark.parametrize("path", ME_LISTS)
def test_an_empty_list_has_its_first_page(api, path):
    assert api.get(path, {"page": 1}).json()["results"] == []
    assert api.get(path, {"page": 2}).status_code == 400


def test_the_schema_declares_the_400_and_the_page_range(client):
    document = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ["/api/researchers/", *ME_LISTS]:
        operation = document["paths"][path]["get"]
        assert "400" in operation["responses"], path
        page = next(p for p in operation["parameters"] if p["name"] == "page")
        assert "bad_page" in page["description"], path
    assert "404" not in document["paths"]["/api/me/claims/"]["get"]["responses"]
