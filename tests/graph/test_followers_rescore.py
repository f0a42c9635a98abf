"""Following moves the trust score at once, within the community component's cap."""

import pytest

from follows.actions import follow, unfollow
from graph.actions import recompute_all
from tests.factories import AuthorshipFactory, ResearcherFactory


@pytest.mark.django_db
def test_a_follow_and_an_unfollow_rescore_the_researcher(django_user_model):
    researcher = ResearcherFactory()
    AuthorshipFactory(researcher=researcher)
    recompute_all()
    researcher.refresh_from_db()
    before = researcher.trust_score
    users = [
        django_user_model.objects.create_user(f"fan{n}", f"fan{n}@example.org", "pw-123456!")
        for n in range(3)
    ]

    for user in users:
        follow(user, researcher)
    researcher.refresh_from_db()
    after_follows = researcher.trust_score

    for user in users:
        unfollow(user, researcher)
    researcher.refresh_from_db()

    assert after_follows > before
    assert after_follows - before <= 10
    assert researcher.trust_score == before
