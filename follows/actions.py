"""State changes for follows and notifications: the only code that writes these rows."""

import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from follows.models import DigestSubscription, Follow
from graph.actions import rescore_researchers
from works.models import Researcher

log = logging.getLogger(__name__)


@transaction.atomic
def follow(user, researcher: Researcher) -> bool:
    """Follow a researcher. Returns True when a follow was created; a second call is a no-op."""
    try:
        # A savepoint, so a racing duplicate (the unique constraint) does not poison the outer
        # transaction.
        with transaction.atomic():
            Follow.objects.create(user=user, researcher=researcher)
    except IntegrityError:
        return False
    # F() so two followers at once both count.
    Researcher.objects.filter(pk=researcher.pk).update(followers_count=F("followers_count") + 1)
    # Followers are part of the trust score's community component.
    rescore_researchers([researcher.pk])
    researcher.refresh_from_db(fields=["followers_count", "trust_score"])
    return True


@transaction.atomic
def unfollow(user, researcher: Researcher) -> bool:
    """Stop following. Returns True when a follow was removed; a second call is a no-op."""
    deleted, _ = Follow.objects.filter(user=user, researcher=researcher).delete()
    if deleted:
        Researcher.objects.filter(pk=researcher.pk).update(
            followers_count=Greatest(F("followers_count") - 1, 0)
        )
        rescore_researchers([researcher.pk])
    researcher.refresh_from_db(fields=["followers_count", "trust_score"])
    return bool(deleted)


@transaction.atomic
def move_follows(source: Researcher, target: Researcher) -> int:
    """Move the follows of ``source`` to ``target`` (a merge); returns how many moved.

    A user who follows both keeps one follow. Both records' ``followers_count`` is recounted
    from the rows. The caller holds both records' locks and rescores them (the merge refreshes
    the graph on commit). A second call moves nothing and leaves the counts as they are.
    """
    if source.pk == target.pk:
        return 0
    Follow.objects.filter(
        researcher=source,
        user_id__in=Follow.objects.filter(researcher=target).values("user_id"),
    ).delete()
    moved = Follow.objects.filter(researcher=source).update(researcher=target)
    recount_followers([source, target])
    return moved


def recount_followers(researchers) -> None:
    """Set each record's ``followers_count`` from its follow rows (after rows moved in bulk)."""
    for researcher in researchers:
        Researcher.objects.filter(pk=researcher.pk).update(
            followers_count=Follow.objects.filter(researcher=researcher).count()
        )
        researcher.refresh_from_db(fields=["followers_count"])


def set_digest_enabled(user, enabled: bool) -> DigestSubscription:
    subscription, _ = DigestSubscription.objects.get_or_create(user=user)
    if subscription.enabled != enabled:
        subscription.enabled = enabled
        subscription.save(update_fields=["enabled"])
    return subscription
