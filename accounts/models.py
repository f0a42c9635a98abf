"""A person on the site: the name they chose (not the username allauth made up), and the
notifications they receive."""

from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(
        "name",
        max_length=100,
        help_text="How other people see you: in invitations, claims and notifications.",
    )

    def __str__(self) -> str:
        return self.display_name


class Notification(models.Model):
    """An in-site message to a user: a claim decided, an invitation, a followed researcher's
    new work. Every app above may send one (``accounts.notifications.notify``)."""

    class Kind(models.TextChoices):
        CLAIM_DECIDED = "claim_decided", "Claim decided"
        INVITATION_RECEIVED = "invitation_received", "Invitation received"
        INVITATION_ANSWERED = "invitation_answered", "Invitation answered"
        FOLLOWED_PUBLISHED = "followed_published", "Followed researcher published"
        COAUTHOR_CORRECTION = "coauthor_correction", "A co-author corrected a shared work"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # Plain text, escaped when shown.
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "follows_notification"  # where it was created; moved here unchanged
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
