"""Words a person reads: plain, sentence case, no "item(s)", no jargon, en dashes for ranges."""

import re

import pytest
from django.urls import reverse

from tests.factories import AuthorshipFactory, ResearcherFactory

pytestmark = pytest.mark.django_db

JARGON = ["item(s)", "work(s)", "author entity", "Quick read", "Decide how to stay connected"]


def _text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_profile_reads_plainly(client):
    researcher = ResearcherFactory(trust_score=12)
    AuthorshipFactory(researcher=researcher, work__publication_year=2014)
    text = _text(client.get(researcher.get_absolute_url()))
    for phrase in JARGON:
        assert phrase not in text
    assert "1 published work" in text
    assert "Trust 12 \u2013 Emerging" in text
    assert not re.search(r"\b\d{4}-\d{4}\b", text)


def test_the_works_list_says_what_it_shows(client):
    AuthorshipFactory(work__publication_year=2014, work__type="article")
    text = _text(client.get(reverse("works:list"), {"year": 2014, "type": "article"}))
    assert "1 work published in 2014 (type: article), newest first." in text


def test_the_digest_counts_works_in_words(follower):
    from django.utils import timezone

    from accounts.models import Notification
    from follows import actions
    from follows.digest import send_digest

    one, two = ResearcherFactory(display_name="One"), ResearcherFactory(display_name="Two")
    actions.follow(follower, one)
    actions.follow(follower, two)
    AuthorshipFactory(researcher=one)
    AuthorshipFactory.create_batch(2, researcher=two)
    send_digest(follower, now=timezone.now())
    messages = sorted(Notification.objects.values_list("message", flat=True))
    assert messages == ["One has 1 new work.", "Two has 2 new works."]
