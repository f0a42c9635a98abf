"""Telling a user something: in the site, and by email when it matters."""

from django.utils import timezone

from accounts.models import Notification
from bzpeer.mail import mail_after_commit
from bzpeer.site import site_url


def notify(user, kind: str, message: str, url: str = "", *, email: bool = False) -> Notification:
    """Record an in-site notification; with ``email``, also mail it once the transaction commits."""
    notification = Notification.objects.create(
        user=user, kind=kind, message=message[:500], url=url[:500]
    )
    if email and user.email:
        address = user.email
        subject = f"[bzpeer] {Notification.Kind(kind).label}"
        body = message
        if url:
            body += f"\n\n{site_url(url)}"
        mail_after_commit(subject, body, [address])
    return notification


def mark_notifications_read(user) -> int:
    """Mark all of the user's unread notifications read; returns how many changed."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
