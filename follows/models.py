"""Who follows whom, and the in-site notifications each user receives."""

from django.conf import settings
from django.db import models


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    researcher = models.ForeignKey(
        "works.Researcher", on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            # Following twice is one follow, even when two requests race.
            models.UniqueConstraint(fields=["user", "researcher"], name="follow_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.researcher_id}"


class DigestSubscription(models.Model):
    """A user's weekly digest: whether they want it, and the ledger of what was sent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_subscription"
    )
    enabled = models.BooleanField(default=True)
    # Works created after this moment go into the next digest; a second run sends nothing new.
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"digest for {self.user_id}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        CLAIM_DECIDED = "claim_decided", "Claim decided"
        INVITATION_RECEIVED = "invitation_received", "Invitation received"
        INVITATION_ANSWERED = "invitation_answered", "Invitation answered"
        FOLLOWED_PUBLISHED = "followed_published", "Followed researcher published"

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
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
