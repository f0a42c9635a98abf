"""How views reach claims, invitations and owned records: one permission check per object.

Each helper raises ``Http404`` when the user may not see the object, so a guessed id reveals
nothing about whether it exists. Staff pages ask for a named permission through
``bzpeer.staff``; staff status alone opens none of them.
"""

from django.db.models import Q
from django.http import Http404

from bzpeer.staff import has_staff_permission, require_staff_permission
from claims.models import Claim, Invitation
from works.models import Researcher

# What each staff page and action needs (superusers hold all three).
READ_CLAIMS = "claims.view_claim"  # the review queue, anyone's claim page
DECIDE_CLAIMS = "claims.change_claim"  # approve or reject, here and in the admin
VERIFY_RECORDS = "claims.verify_record"  # grant or withdraw L4


def get_claim_for_user(user, pk: int) -> Claim:
    """A claim the user may see: their own, or any claim for staff who may read claims."""
    qs = Claim.objects.select_related("researcher", "claimant", "reviewer")
    if not user.is_authenticated:
        raise Http404
    if not has_staff_permission(user, READ_CLAIMS):
        qs = qs.filter(claimant=user)
    try:
        return qs.get(pk=pk)
    except (Claim.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_claim_for_reviewer(user, pk: int) -> Claim:
    """A claim for staff who may decide claims; never the reviewer's own (no self-approval)."""
    require_staff_permission(user, DECIDE_CLAIMS, refuse=Http404)
    try:
        claim = Claim.objects.select_related("researcher", "claimant").get(pk=pk)
    except (Claim.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
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


def get_researcher_for_verifier(user, pk: int) -> Researcher:
    """A record, with its owner, for staff who may grant or withdraw L4."""
    require_staff_permission(user, VERIFY_RECORDS, refuse=Http404)
    try:
        return Researcher.objects.select_related("owner").get(pk=pk)
    except (Researcher.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
