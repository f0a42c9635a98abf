"""What the profile page's identity and collaboration sections need to know about the viewer.

Each tag costs at most one query, none for signed-out visitors, and nothing per work.
"""

from collections.abc import Mapping
from typing import Any

from django import template
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Subquery

from claims.models import Claim, SenderBlock
from works.models import Researcher

register = template.Library()


def _user(context):
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return user if user is not None and user.is_authenticated else None


@register.simple_tag(takes_context=True)
def identity_state(context, researcher) -> dict:
    """{"is_owner", "open_claim", "owns_other"} for the viewer and this record."""
    user = _user(context)
    state: dict[str, Any] = {"is_owner": False, "open_claim": None, "owns_other": False}
    if user is None:
        return state
    if researcher.owner_id == user.pk:
        state["is_owner"] = True
        return state
    if researcher.owner_id is not None:
        return state
    open_claims = Claim.objects.filter(
        researcher=researcher, claimant=OuterRef("pk"), status__in=Claim.OPEN_STATUSES
    )
    row: Mapping[str, Any] = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            open_claim_pk=Subquery(open_claims.values("pk")[:1]),
            open_claim_status=Subquery(open_claims.values("status")[:1]),
            owns_other=Exists(Researcher.objects.filter(owner=OuterRef("pk"))),
        )
        .values("open_claim_pk", "open_claim_status", "owns_other")
        .first()
    ) or {}
    if row.get("open_claim_pk"):
        state["open_claim"] = {
            "pk": row["open_claim_pk"],
            "status": row["open_claim_status"],
            "status_label": Claim.Status(row["open_claim_status"]).label,
        }
    state["owns_other"] = bool(row.get("owns_other"))
    return state


@register.simple_tag(takes_context=True)
def collaboration_state(context, researcher) -> dict:
    """{"can_invite", "reason"} for the viewer and this claimed record: one query."""
    from allauth.account.models import EmailAddress

    user = _user(context)
    if researcher.owner_id is None:
        return {"can_invite": False, "reason": "unclaimed"}
    if not researcher.open_to_collaborate:
        return {"can_invite": False, "reason": "closed"}
    if user is None:
        return {"can_invite": False, "reason": "signed_out"}
    if user.pk == researcher.owner_id:
        return {"can_invite": False, "reason": "owner"}
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            verified=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
            blocked=Exists(
                SenderBlock.objects.filter(owner_id=researcher.owner_id, sender=OuterRef("pk"))
            ),
        )
        .values("verified", "blocked")
        .first()
    )
    if row is None or not row["verified"]:
        return {"can_invite": False, "reason": "unverified"}
    if row["blocked"]:
        return {"can_invite": False, "reason": "blocked"}
    return {"can_invite": True, "reason": ""}
