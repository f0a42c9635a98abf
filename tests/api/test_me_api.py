"""/api/me/follows/ and /api/me/claims/: your own follows and claims, nobody else's."""

import pytest
from rest_framework.authtoken.models import Token

from follows.models import Follow
from tests.factories import ResearcherFactory
from tests.factories_claims import ClaimFactory
from works.models import Researcher

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, follower):
    token = Token.objects.create(user=follower)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


@pytest.mark.parametrize("path", ["/api/me/follows/", "/api/me/claims/"])
def test_signed_out_clients_get_a_json_401(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_following_through_the_api_is_idempotent_and_counted(api, follower):
    researcher = ResearcherFactory()

    first = api.post("/api/me/follows/", {"researcher": researcher.pk})
    second = api.post("/api/me/follows/", {"researcher": researcher.pk})

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["researcher"] == researcher.pk
    assert Follow.objects.filter(user=follower).count() == 1
    researcher.refresh_from_db()
    assert researcher.followers_count == 1
    listed = api.get("/api/me/follows/").json()["results"]
    assert [f["researcher"] for f in listed] == [researcher.pk]


def test_unfollowing_through_the_api(api, follower):
    researcher = ResearcherFactory()
    api.post("/api/me/follows/", {"researcher": researcher.pk})

    assert api.delete(f"/api/me/follows/{researcher.pk}/").status_code == 204
    assert api.delete(f"/api/me/follows/{researcher.pk}/").status_code == 404
    researcher.refresh_from_db()
    assert researcher.followers_count == 0


@pytest.mark.parametrize(
    "body", [{}, {"researcher": "abc"}, {"researcher": -1}, {"researcher": 10**30}]
)
def test_a_bad_follow_request_is_a_400_and_changes_nothing(api, body):
    response = api.post("/api/me/follows/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Follow.objects.exists()


def test_unknown_and_merged_researchers_cannot_be_followed(api):
    kept = ResearcherFactory()
    merged = ResearcherFactory(merged_into=kept)

    assert api.post("/api/me/follows/", {"researcher": 999_999}).status_code == 404
    assert api.post("/api/me/follows/", {"researcher": merged.pk}).status_code == 404
    assert api.delete("/api/me/follows/not-an-id/").status_code == 404
    assert not Follow.objects.exists()
    assert Researcher.objects.get(pk=kept.pk).followers_count == 0


def test_my_claims_lists_only_mine(api, follower, stranger):
    mine = ClaimFactory(claimant=follower, researcher=ResearcherFactory())
    ClaimFactory(claimant=stranger, researcher=ResearcherFactory())

    claims = api.get("/api/me/claims/").json()["results"]

    assert [c["id"] for c in claims] == [mine.pk]
    assert claims[0]["researcher_name"] == mine.researcher.display_name
    assert "institutional_email" not in claims[0]


def test_list_queries_do_not_grow_with_the_number_of_follows(
    api, follower, django_assert_max_num_queries
):
    for researcher in ResearcherFactory.create_batch(30):
        Follow.objects.create(user=follower, researcher=researcher)
    with django_assert_max_num_queries(4):
        assert api.get("/api/me/follows/").status_code == 200
