"""Researcher names come from imports: on the people pages they are isolated like everywhere else,
so a name written right to left cannot reorder the words around it."""

import pytest
from django.urls import reverse

from follows import actions as follows_actions
from tests.factories import ResearcherFactory

pytestmark = pytest.mark.django_db

ARABIC_NAME = "\u0645\u062d\u0645\u062f \u0639\u0644\u064a"


@pytest.fixture
def researcher():
    return ResearcherFactory(display_name=ARABIC_NAME)


def test_the_claim_page_isolates_the_name_in_its_heading_and_title(client, stranger, researcher):
    client.force_login(stranger)
    html = client.get(reverse("claims:start", args=[researcher.pk])).content.decode()
    assert f"<title>Claim &#x2068;{ARABIC_NAME}&#x2069;" in html
    assert f"<bdi>{ARABIC_NAME}</bdi></a></h1>" in html


def test_the_follow_pages_isolate_the_name(client, follower, researcher):
    client.force_login(follower)
    confirm = client.get(reverse("follows:follow", args=[researcher.pk])).content.decode()
    assert f"Follow <bdi>{ARABIC_NAME}</bdi>?" in confirm
    follows_actions.follow(follower, researcher)
    following = client.get(reverse("follows:following")).content.decode()
    assert f'Unfollow<span class="visually-hidden"> <bdi>{ARABIC_NAME}</bdi>' in following


def test_the_invitation_page_isolates_the_name(client, stranger, researcher):
    client.force_login(stranger)
    html = client.get(reverse("claims:invite", args=[researcher.pk])).content.decode()
    assert f"<bdi>{ARABIC_NAME}</bdi> has not claimed their record" in html
