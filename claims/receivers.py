"""What claims do when a lower layer changes a record they hang on."""

from django.dispatch import receiver

from claims.actions import ClaimError, transfer_ownership_for_merge
from profiles.merge import researcher_merged
from works.curation import CurationError


@receiver(researcher_merged, dispatch_uid="claims.move_ownership_on_merge")
def move_ownership_on_merge(sender, source, target, actor, **kwargs) -> None:
    """The owner and approved claim follow the merged record; open claims are closed. Both
    records claimed: the merge is refused."""
    try:
        transfer_ownership_for_merge(source, target, actor)
    except ClaimError as exc:
        raise CurationError(str(exc)) from exc
