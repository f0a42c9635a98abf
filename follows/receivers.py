"""What follows do when a lower layer changes a record people follow."""

from django.dispatch import receiver

from follows.actions import move_follows, recount_followers
from follows.models import Follow
from profiles.merge import researcher_merged, researcher_unmerged


@receiver(researcher_merged, dispatch_uid="follows.move_follows_on_merge")
def move_follows_on_merge(sender, source, target, **kwargs) -> dict:
    """Followers of the merged record follow the record it was merged into. Returns who
    followed the merged record, and who of them followed both, for an undo."""
    users = sorted(Follow.objects.filter(researcher=source).values_list("user_id", flat=True))
    both = sorted(
        Follow.objects.filter(researcher=target, user_id__in=users).values_list(
            "user_id", flat=True
        )
    )
    move_follows(source, target)
    return {"users": users, "followed_both": both}


@receiver(researcher_unmerged, dispatch_uid="follows.restore_follows_on_unmerge")
def restore_follows_on_unmerge(sender, source, target, moved, **kwargs) -> None:
    """Those who followed the record before its merge follow it again; those who followed only
    it no longer follow the other record."""
    logged = (moved or {}).get("follows") or {}
    users = logged.get("users", [])
    both = set(logged.get("followed_both", []))
    Follow.objects.filter(researcher=target, user_id__in=set(users) - both).update(
        researcher=source
    )
    Follow.objects.bulk_create(
        [Follow(user_id=user_id, researcher=source) for user_id in sorted(both)],
        ignore_conflicts=True,
    )
    recount_followers([source, target])
