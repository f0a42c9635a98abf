"""Who follows whom, and who wants the weekly digest. (Notifications are ``accounts``'.)"""

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
