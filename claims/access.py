"""How views reach claims, invitations and owned records: one permission check per object.

Each helper raises ``Http404`` when the user may not see the object, so a guessed id reveals
nothing about whether it exists.
"""

from django.db.models import Q
from django.http import Http404

from claims.models import Claim, Invitation
from profiles.models import Researcher


def get_claim_for_user(user, pk: int) -> Claim:
    """A claim the user may see: their own, or any claim for staff."""
    qs = Claim.objects.select_related("researcher", "claimant", "reviewer")
    if not user.is_authenticated:
        raise Http404
    if not user.is_staff:
        qs = qs.filter(claimant=user)
    try:
        return qs.get(pk=pk)
    except (Claim.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_claim_for_reviewer(user, pk: int) -> Claim:
    """A claim staff may decide; never the reviewer's own (no self-approval)."""
    if not (user.is_authenticated and user.is_staff):
        raise Http404
    claim = get_claim_for_user(user, pk)
    if claim.claimant_id == user.pk:
        raise Http404
    return claim


def get_invitation_for_user(user, pk: int) -> Invitation:
    """An invitation the user sent or received."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Invitation.objects.select_related("sender", "recipient", "researcher").get(
            Q(sender=user) | Q(recipient=user), pk=pk
        )
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_invitation_for_recipient(user, pk: int) -> Invitation:
    """An invitation the user received (the only one who may answer it or block its sender)."""
    invitation = get_invitation_for_user(user, pk)
    if invitation.recipient_id != user.pk:
        raise Http404
    return invitation


def get_owned_researcher_for_user(user) -> Researcher:
    """The record the user owns (a user owns at most one)."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Researcher.objects.select_related("last_known_institution").get(owner=user)
    except Researcher.DoesNotExist:
        raise Http404 from None


def get_researcher_for_staff(user, pk: int) -> Researcher:
    if not (user.is_authenticated and user.is_staff):
        raise Http404
    try:
        return Researcher.objects.get(pk=pk)
    except (Researcher.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
