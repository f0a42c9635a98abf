"""The weekly digest: new works by the researchers a user follows.

Each user's ``DigestSubscription.last_sent_at`` is the ledger: a work goes into a digest only
if it was added after the previous one, so running the task twice sends nothing the second time.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bzpeer.mail import mail_after_commit
from follows.actions import notify
from follows.models import DigestSubscription, Follow, Notification
from works.models import Authorship

FIRST_DIGEST_LOOKBACK = timedelta(days=7)
MAX_WORKS_PER_DIGEST = 50


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
                f"{researcher.display_name} has {len(researcher_works)} new work(s).",
                researcher.get_absolute_url(),
            )
            lines.append(f"{researcher.display_name}:")
            lines.extend(
                f"  - {work.title} ({work.publication_year or 'n.d.'})" for work in researcher_works
            )
        site = settings.BZPEER_SITE_URL.rstrip("/")
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
                f"Feed: {site}{reverse('follows:feed')}",
                f"Stop these emails: {site}{reverse('follows:following')}",
            ]
        )
        address = user.email
        # Turning the digest off stops the email; the in-site notifications above still come.
        if address and subscription.enabled:
            mail_after_commit("[bzpeer] Your weekly digest", body, [address])
        return sum(len(w) for w in works.values())


def send_weekly_digests(now=None) -> int:
    """Send every due digest; returns how many users got one."""
    now = now or timezone.now()
    users = get_user_model().objects.filter(is_active=True, follows__isnull=False).distinct()
    return sum(1 for user in users.iterator() if send_digest(user, now))
