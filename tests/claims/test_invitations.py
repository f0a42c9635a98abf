"""Direct collaboration invitations: who may send, the daily limit, answers and blocks."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from claims import invitations
from claims.models import AuditEvent, Invitation, SenderBlock
from tests.factories_claims import InvitationFactory, verify_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(record, owner):
    """A claimed record whose owner turned "open to collaborate" on."""
    record.owner = owner
    record.open_to_collaborate = True
    record.save()
    return record


@pytest.fixture
def sender(stranger):
    verify_email(stranger)
    return stranger


def _send(client, user, record, subject="Joint grant?"):
    client.force_login(user)
    return client.post(
        reverse("claims:invite", args=[record.pk]),
        {"subject": subject, "message": "We work on the same fluids."},
    )


def test_a_verified_user_invites_an_open_owner_who_is_notified_by_email(
    client, sender, owner, claimed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, sender, claimed)
    invitation = Invitation.objects.get()
    assert response.status_code == 302
    assert invitation.recipient == owner
    assert invitation.status == Invitation.Status.PENDING
    assert Notification.objects.get(user=owner).kind == "invitation_received"
    assert mail.outbox[-1].to == [owner.email]
    assert AuditEvent.objects.filter(invitation=invitation, action="invitation_sent").exists()


UNCLAIMED = "<bdi>Ada Researcher</bdi> has not claimed their record on bzpeer yet"


def test_an_unclaimed_record_cannot_be_invited(client, sender, record):
    response = _send(client, sender, record)
    assert response.status_code == 400
    html = response.content.decode()
    # Words for the visitor, not for the researcher, and no form to fill in for nothing.
    assert UNCLAIMED in html
    assert "author entity" not in html
    assert 'name="subject"' not in html
    assert not Invitation.objects.exists()


def test_the_invite_page_of_an_unclaimed_record_explains_and_has_no_form(client, sender, record):
    client.force_login(sender)
    response = client.get(reverse("claims:invite", args=[record.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert UNCLAIMED in html
    assert 'name="subject"' not in html and "Send invitation" not in html


def test_the_invite_page_of_an_open_owner_has_the_form(client, sender, claimed):
    client.force_login(sender)
    html = client.get(reverse("claims:invite", args=[claimed.pk])).content.decode()
    assert 'name="subject"' in html
    assert "has not claimed" not in html


def test_open_to_collaborate_is_shown_only_for_a_claimed_record_whose_owner_is_open(
    client, record, owner
):
    def chip():
        return "Open to collaborate" in client.get(record.get_absolute_url()).content.decode()

    assert not record.open_to_collaborate  # off until an owner turns it on
    assert not chip()
    record.owner = owner
    record.save()
    assert not chip()  # claiming alone invites nobody
    record.open_to_collaborate = True
    record.save()
    assert chip()
    record.open_to_collaborate = False
    record.save()
    assert not chip()


def test_invitations_name_the_sender_by_the_name_they_chose(client, sender, owner, claimed):
    from accounts.actions import set_display_name

    set_display_name(sender, "Sam Sender")
    _send(client, sender, claimed)
    assert Notification.objects.get(user=owner).message == (
        "Sam Sender invited you to collaborate: Joint grant?"
    )
    client.force_login(owner)
    inbox = client.get(reverse("claims:inbox")).content.decode()
    assert "from Sam Sender" in inbox
    assert sender.username not in inbox
    detail = client.get(
        reverse("claims:invitation_detail", args=[Invitation.objects.get().pk])
    ).content.decode()
    assert "From Sam Sender to" in detail


def test_an_owner_not_open_to_collaborate_cannot_be_invited(client, sender, claimed):
    claimed.open_to_collaborate = False
    claimed.save()
    assert _send(client, sender, claimed).status_code == 400
    assert not Invitation.objects.exists()


def test_a_sender_without_a_verified_email_cannot_invite(client, stranger, claimed):
    response = _send(client, stranger, claimed)
    assert response.status_code == 400
    assert "Verify your email" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_owner_cannot_invite_themselves(client, owner, claimed):
    verify_email(owner)
    assert _send(client, owner, claimed).status_code == 400


def test_a_sender_gets_five_invitations_a_day_by_default(client, sender, claimed):
    for i in range(5):
        assert _send(client, sender, claimed, f"Idea {i}").status_code == 302
    response = _send(client, sender, claimed, "One too many")
    assert response.status_code == 400
    assert "at most 5 invitations in 24 hours" in response.content.decode()
    assert Invitation.objects.count() == 5


def test_the_daily_limit_is_a_setting(client, sender, claimed, settings):
    settings.BZPEER_INVITATIONS_PER_DAY = 1
    assert _send(client, sender, claimed).status_code == 302
    assert _send(client, sender, claimed).status_code == 400


def test_invitations_older_than_a_day_do_not_count(client, sender, claimed, owner):
    for _ in range(5):
        InvitationFactory(sender=sender, researcher=claimed, recipient=owner)
    Invitation.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert _send(client, sender, claimed).status_code == 302


def test_the_recipient_accepts_and_the_sender_is_notified(
    client, sender, owner, claimed, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(sender=sender, researcher=claimed, recipient=owner)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("claims:invitation_answer", args=[invitation.pk]), {"decision": "accept"}
        )
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert "accepted" in Notification.objects.get(user=sender).message
    assert mail.outbox[-1].to == [sender.email]
    # answering twice changes nothing
    client.post(reverse("claims:invitation_answer", args=[invitation.pk]), {"decision": "decline"})
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_the_recipient_declines(client, sender, owner, claimed):
    invitation = InvitationFactory(sender=sender, researcher=claimed, recipient=owner)
    client.force_login(owner)
    client.post(reverse("claims:invitation_answer", args=[invitation.pk]), {"decision": "decline"})
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    assert "declined" in Notification.objects.get(user=sender).message


def test_the_sender_cannot_answer_their_own_invitation(client, sender, owner, claimed):
    invitation = InvitationFactory(sender=sender, researcher=claimed, recipient=owner)
    client.force_login(sender)
    response = client.post(
        reverse("claims:invitation_answer", args=[invitation.pk]), {"decision": "accept"}
    )
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_a_blocked_sender_cannot_invite_again(client, sender, owner, claimed):
    invitation = InvitationFactory(sender=sender, researcher=claimed, recipient=owner)
    client.force_login(owner)
    client.post(reverse("claims:block_sender", args=[invitation.pk]))
    assert SenderBlock.objects.filter(owner=owner, sender=sender).exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    response = _send(client, sender, claimed)
    assert response.status_code == 400
    assert "does not accept invitations from you" in response.content.decode()
    # unblocking lets them write again
    client.force_login(owner)
    client.post(reverse("claims:unblock", args=[SenderBlock.objects.get().pk]))
    assert _send(client, sender, claimed).status_code == 302


def test_only_the_parties_see_an_invitation(client, sender, owner, follower, claimed):
    invitation = InvitationFactory(sender=sender, researcher=claimed, recipient=owner)
    url = reverse("claims:invitation_detail", args=[invitation.pk])
    client.force_login(follower)
    assert client.get(url).status_code == 404
    client.force_login(sender)
    assert client.get(url).status_code == 200
    client.force_login(owner)
    page = client.get(url).content.decode()
    assert "Accept" in page


def test_the_message_is_escaped(client, sender, owner, claimed):
    invitation = InvitationFactory(
        sender=sender, researcher=claimed, recipient=owner, message="<script>x()</script>"
    )
    client.force_login(owner)
    page = client.get(reverse("claims:invitation_detail", args=[invitation.pk])).content.decode()
    assert "<script>x()" not in page
    assert "&lt;script&gt;" in page


def test_the_inbox_query_count_does_not_grow(
    client, sender, owner, claimed, django_assert_max_num_queries
):
    for _ in range(10):
        InvitationFactory(sender=sender, researcher=claimed, recipient=owner)
    client.force_login(owner)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("claims:inbox"))
    assert response.content.decode().count("Working together") == 10


def test_block_is_idempotent(owner, sender):
    invitations.block_sender(owner, sender)
    invitations.block_sender(owner, sender)
    assert SenderBlock.objects.count() == 1
    assert AuditEvent.objects.filter(action="sender_blocked").count() == 1
