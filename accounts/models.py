"""What a person is called on the site: the name they chose, not the username allauth made up."""

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
