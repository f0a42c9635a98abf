"""The weekly digest: new works by the researchers a user follows.

Each user's ``DigestSubscription.last_sent_at`` is the ledger: a work goes into a digest only
if it was added after the previous one, and a user who had a digest less than
``MIN_DIGEST_GAP`` ago gets none, so running the weekly fan-out twice in a week (beat firing
twice, a task delivered twice) sends nothing the second time.
"""

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import notify
from bzpeer.mail import mail_after_commit
from bzpeer.site import site_url
from follows.models import DigestSubscription, Follow
from works.models import Authorship

FIRST_DIGEST_LOOKBACK = timedelta(days=7)
# Under a week, so a digest that went out a little late one week does not block the next.
MIN_DIGEST_GAP = timedelta(days=6)
MAX_WORKS_PER_DIGEST = 50


def _works(n: int) -> str:
    return "1 new work" if n == 1 else f"{n} new works"


def new_works_by_followed(user, since) -> dict:
    """{researcher: [work, ...]} for works added after ``since`` by researchers the user follows."""
    followed = Follow.objects.filter(user=user).values("researcher_id")
    authorships = (
        Authorship.objects.filter(
            researcher_id__in=followed,
            work__created_at__gt=since,
            work__is_hidden=False,
        )
        .select_related("work", "researcher")
        .order_by("researcher__display_name", "-work__created_at")[:MAX_WORKS_PER_DIGEST]
    )
    by_researcher: dict = defaultdict(list)
    for authorship in authorships:
        by_researcher[authorship.researcher].append(authorship.work)
    return dict(by_researcher)


def send_digest(user, now=None) -> int:
    """Notify one user of new works by those they follow, and email the digest unless they
    turned it off; returns how many works it listed (0 sends nothing)."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription, _ = DigestSubscription.objects.select_for_update().get_or_create(user=user)
        if subscription.last_sent_at and now - subscription.last_sent_at < MIN_DIGEST_GAP:
            return 0  # this week's digest went already
        since = subscription.last_sent_at or now - FIRST_DIGEST_LOOKBACK
        works = new_works_by_followed(user, since)
        subscription.last_sent_at = now
        subscription.save(update_fields=["last_sent_at"])
        if not works:
            return 0
        lines = []
        for researcher, researcher_works in works.items():
            notify(
                user,
                Notification.Kind.FOLLOWED_PUBLISHED,
                f"{researcher.display_name} has {_works(len(researcher_works))}.",
                researcher.get_absolute_url(),
            )
            lines.append(f"{researcher.display_name}:")
            lines.extend(
                f"  - {work.title} ({work.publication_year or 'n.d.'})" for work in researcher_works
            )
        body = "\n".join(
            [
                "New works by researchers you follow:",
                "",
                *lines,
                "",
                *(
                    [f"A digest lists at most {MAX_WORKS_PER_DIGEST} works: the feed has them all."]
                    if sum(len(w) for w in works.values()) >= MAX_WORKS_PER_DIGEST
                    else []
                ),
                f"Feed: {site_url(reverse('follows:feed'))}",
                f"Stop these emails: {site_url(reverse('follows:following'))}",
            ]
        )
        address = user.email
        # Turning the digest off stops the email; the in-site notifications above still come.
        if address and subscription.enabled:
            mail_after_commit("[bzpeer] Your weekly digest", body, [address])
        return sum(len(w) for w in works.values())


def digest_user_ids():
    """Ids of the users a weekly digest may be due to: active, following someone."""
    return (
        get_user_model()
        .objects.filter(is_active=True, follows__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def send_digest_to(user_id: int, now=None) -> int:
    """:func:`send_digest` for a user id; 0 if the user was deleted or deactivated since."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return send_digest(user, now) if user is not None else 0


def send_weekly_digests(now=None) -> int:
    """Send every due digest in this process; returns how many users got one."""
    now = now or timezone.now()
    return sum(1 for user_id in digest_user_ids().iterator() if send_digest_to(user_id, now))
