"""What claims do when a lower layer changes a record they hang on."""

from django.dispatch import receiver

from claims.actions import (
    ClaimError,
    restore_ownership_for_unmerge,
    transfer_ownership_for_merge,
)
from claims.models import Claim
from profiles.merge import researcher_merged, researcher_unmerged
from works.curation import CurationError


@receiver(researcher_merged, dispatch_uid="claims.move_ownership_on_merge")
def move_ownership_on_merge(sender, source, target, actor, **kwargs) -> dict | None:
    """The owner and approved claim follow the merged record; open claims are closed. Both
    records claimed: the merge is refused. Returns the owner that moved, for an undo."""
    owner_id, verified = source.owner_id, source.staff_verified
    approved = list(
        Claim.objects.filter(researcher=source, status=Claim.Status.APPROVED).values_list(
            "pk", flat=True
        )
    )
    try:
        transfer_ownership_for_merge(source, target, actor)
    except ClaimError as exc:
        raise CurationError(str(exc)) from exc
    if owner_id is None:
        return None
    return {"owner": owner_id, "staff_verified": verified, "claims": approved}


@receiver(researcher_unmerged, dispatch_uid="claims.restore_ownership_on_unmerge")
def restore_ownership_on_unmerge(sender, source, target, actor, moved, **kwargs) -> None:
    """An owner that came with the merged record goes back with it."""
    logged = (moved or {}).get("claims")
    if logged:
        restore_ownership_for_unmerge(
            source,
            target,
            actor,
            owner_id=logged["owner"],
            staff_verified=logged["staff_verified"],
            claims=logged["claims"],
        )
