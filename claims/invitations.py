"""Direct collaboration invitations: sending, answering and blocking.

Only claimed records whose owner is open to collaborate receive invitations, only from senders
with a verified email, at most ``BZPEER_INVITATIONS_PER_DAY`` per sender per 24 hours.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.names import person_name
from accounts.notifications import notify
from claims.actions import audit
from claims.models import AuditEvent, Invitation, SenderBlock
from works.models import Researcher


class InvitationError(Exception):
    """An invitation step refused, with a message fit to show. Nothing was changed."""


def has_verified_email(user) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def send_invitation(sender, researcher: Researcher, subject: str, message: str) -> Invitation:
    subject = (subject or "").strip()
    message = (message or "").strip()
    if not subject or not message:
        raise InvitationError("Write a subject and a message.")
    if len(subject) > 200 or len(message) > 5000:
        raise InvitationError("The subject is at most 200 characters, the message 5000.")
    if researcher.owner_id is None:
        raise InvitationError(
            f"{researcher.display_name} has not claimed their record on bzpeer yet, so they "
            "cannot receive invitations."
        )
    if not researcher.open_to_collaborate:
        raise InvitationError("This researcher is not open to collaboration invitations.")
    if researcher.owner_id == sender.pk:
        raise InvitationError("You cannot invite yourself.")
    if not has_verified_email(sender):
        raise InvitationError("Verify your email address before sending invitations.")
    limit = settings.BZPEER_INVITATIONS_PER_DAY
    with transaction.atomic():
        # Lock the sender's row so two requests at once cannot both pass the count below.
        get_user_model().objects.select_for_update().get(pk=sender.pk)
        if SenderBlock.objects.filter(owner_id=researcher.owner_id, sender=sender).exists():
            raise InvitationError("This researcher does not accept invitations from you.")
        since = timezone.now() - timedelta(days=1)
        if Invitation.objects.filter(sender=sender, created_at__gte=since).count() >= limit:
            raise InvitationError(
                f"You can send at most {limit} invitations in 24 hours. Try again later."
            )
        invitation = Invitation.objects.create(
            sender=sender,
            researcher=researcher,
            recipient_id=researcher.owner_id,
            subject=subject,
            message=message,
        )
        audit(
            AuditEvent.Action.INVITATION_SENT, sender, researcher=researcher, invitation=invitation
        )
        notify(
            invitation.recipient,
            Notification.Kind.INVITATION_RECEIVED,
            f"{person_name(sender)} invited you to collaborate: {subject}",
            reverse("claims:invitation_detail", args=[invitation.pk]),
            email=True,
        )
    return invitation


def answer_invitation(invitation: Invitation, user, accept: bool) -> Invitation:
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("sender", "researcher")
            .get(pk=invitation.pk)
        )
        if invitation.recipient_id != user.pk:
            raise InvitationError("Only the recipient can answer this invitation.")
        if invitation.status != Invitation.Status.PENDING:
            raise InvitationError("This invitation was already answered.")
        invitation.status = Invitation.Status.ACCEPTED if accept else Invitation.Status.DECLINED
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["status", "answered_at"])
        audit(
            AuditEvent.Action.INVITATION_ACCEPTED
            if accept
            else AuditEvent.Action.INVITATION_DECLINED,
            user,
            researcher=invitation.researcher,
            invitation=invitation,
        )
        verb = "accepted" if accept else "declined"
        notify(
            invitation.sender,
            Notification.Kind.INVITATION_ANSWERED,
            f'{invitation.researcher.display_name} {verb} your invitation "{invitation.subject}".',
            reverse("claims:invitation_detail", args=[invitation.pk]),
            email=True,
        )
    return invitation


def block_sender(owner, sender) -> SenderBlock:
    """Stop invitations from a sender; pending ones from them are declined. Idempotent."""
    if owner.pk == sender.pk:
        raise InvitationError("You cannot block yourself.")
    with transaction.atomic():
        block, created = SenderBlock.objects.get_or_create(owner=owner, sender=sender)
        if created:
            Invitation.objects.filter(
                recipient=owner, sender=sender, status=Invitation.Status.PENDING
            ).update(status=Invitation.Status.DECLINED, answered_at=timezone.now())
            audit(AuditEvent.Action.SENDER_BLOCKED, owner, blocked_user=sender.pk)
    return block


def unblock_sender(owner, block_pk: int) -> None:
    with transaction.atomic():
        deleted, _ = SenderBlock.objects.filter(owner=owner, pk=block_pk).delete()
        if deleted:
            audit(AuditEvent.Action.SENDER_UNBLOCKED, owner, block=block_pk)
