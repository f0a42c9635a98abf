"""The optional weekly digest of new works by followed researchers."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from follows import actions, tasks
from follows.digest import MAX_WORKS_PER_DIGEST, send_weekly_digests
from follows.models import DigestSubscription, Notification
from tests.factories import AuthorshipFactory, ResearcherFactory

pytestmark = pytest.mark.django_db


def test_the_digest_lists_new_works_once(follower, django_capture_on_commit_callbacks):
    researcher = ResearcherFactory(display_name="Ada Researcher")
    actions.follow(follower, researcher)
    AuthorshipFactory(researcher=researcher, work__title="Fluids in a box")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests() == 1
    assert len(mail.outbox) == 1
    assert "Fluids in a box" in mail.outbox[0].body
    assert "the feed has them all" not in mail.outbox[0].body
    assert Notification.objects.get(user=follower).kind == "followed_published"
    # A second run has nothing new to send.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests() == 0
    assert len(mail.outbox) == 1


def test_works_older_than_the_last_digest_are_not_sent_again(follower):
    researcher = ResearcherFactory()
    actions.follow(follower, researcher)
    AuthorshipFactory(researcher=researcher)
    DigestSubscription.objects.create(user=follower, last_sent_at=timezone.now() + timedelta(1))
    assert send_weekly_digests() == 0


def test_a_user_can_turn_the_digest_off(client, follower, django_capture_on_commit_callbacks):
    researcher = ResearcherFactory()
    actions.follow(follower, researcher)
    AuthorshipFactory(researcher=researcher)
    client.force_login(follower)
    client.post(reverse("follows:digest_settings"), {"enabled": "0"})
    assert DigestSubscription.objects.get(user=follower).enabled is False
    with django_capture_on_commit_callbacks(execute=True):
        send_weekly_digests()
    assert mail.outbox == []
    # The in-site notification still arrives.
    assert Notification.objects.filter(user=follower, kind="followed_published").exists()


def test_the_celery_task_runs_the_digest(follower):
    researcher = ResearcherFactory()
    actions.follow(follower, researcher)
    AuthorshipFactory(researcher=researcher)
    assert tasks.send_weekly_digests.apply().get() == 1


def test_a_full_digest_points_to_the_feed_for_the_rest(
    follower, django_capture_on_commit_callbacks
):
    researcher = ResearcherFactory()
    actions.follow(follower, researcher)
    AuthorshipFactory.create_batch(MAX_WORKS_PER_DIGEST + 1, researcher=researcher)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests() == 1
    assert "the feed has them all" in mail.outbox[0].body
