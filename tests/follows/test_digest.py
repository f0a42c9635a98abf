"""The optional weekly digest of new works by followed researchers."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from follows import actions, tasks
from follows.digest import MAX_WORKS_PER_DIGEST, send_weekly_digests
from follows.models import DigestSubscription
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


def test_the_weekly_task_queues_one_digest_task_per_follower(
    follower, owner, stranger, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.send_digest, "delay", queued.append)
    researcher = ResearcherFactory()
    actions.follow(follower, researcher)
    actions.follow(owner, researcher)
    AuthorshipFactory(researcher=researcher)
    stranger.is_active = False
    stranger.save(update_fields=["is_active"])
    actions.follow(stranger, ResearcherFactory())

    assert tasks.send_weekly_digests.apply().get() == 2
    assert sorted(queued) == sorted([follower.pk, owner.pk])
    with django_capture_on_commit_callbacks(execute=True):
        sent = [tasks.send_digest.apply(args=(user_id,)).get() for user_id in queued]
    assert sent == [1, 1]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([follower.email, owner.email])


def test_a_digest_task_for_a_user_deleted_since_does_nothing(follower):
    actions.follow(follower, ResearcherFactory())
    user_id = follower.pk
    follower.delete()
    assert tasks.send_digest.apply(args=(user_id,)).get() == 0
    assert mail.outbox == []


def test_a_second_fan_out_in_the_same_week_sends_nothing_and_loses_nothing(
    follower, django_capture_on_commit_callbacks
):
    researcher = ResearcherFactory()
    actions.follow(follower, researcher)
    AuthorshipFactory(researcher=researcher, work__title="Monday's work")
    monday = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests(now=monday) == 1
    AuthorshipFactory(researcher=researcher, work__title="Tuesday's work")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests(now=monday + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    # The work added in between goes out the next week.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests(now=monday + timedelta(days=7)) == 1
    assert "Tuesday's work" in mail.outbox[1].body
    assert "Monday's work" not in mail.outbox[1].body


def test_a_full_digest_points_to_the_feed_for_the_rest(
    follower, django_capture_on_commit_callbacks
):
    researcher = ResearcherFactory()
    actions.follow(follower, researcher)
    AuthorshipFactory.create_batch(MAX_WORKS_PER_DIGEST + 1, researcher=researcher)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests() == 1
    assert "the feed has them all" in mail.outbox[0].body
