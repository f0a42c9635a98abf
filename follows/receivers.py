"""What follows do when a lower layer changes a record people follow."""

from django.dispatch import receiver

from follows.actions import move_follows
from profiles.merge import researcher_merged


@receiver(researcher_merged, dispatch_uid="follows.move_follows_on_merge")
def move_follows_on_merge(sender, source, target, **kwargs) -> None:
    """Followers of the merged record follow the record it was merged into."""
    move_follows(source, target)
