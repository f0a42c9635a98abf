"""State changes for accounts: the only code that writes a user's profile."""

from accounts.models import Profile


def set_display_name(user, display_name: str) -> Profile:
    """Set the name others see. A second call with the same name writes nothing."""
    display_name = " ".join(display_name.split())
    profile, created = Profile.objects.get_or_create(
        user=user, defaults={"display_name": display_name}
    )
    if not created and profile.display_name != display_name:
        profile.display_name = display_name
        profile.save(update_fields=["display_name"])
    # The cached relation would otherwise keep the old name for the rest of this request.
    user.profile = profile
    return profile
