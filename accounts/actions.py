"""State changes for accounts: the only code that writes a user's profile."""

import unicodedata

from accounts.models import Profile

# Marks, embeddings, overrides and isolates: in a name shown inside a sentence ("from NAME ·
# Pending"), any of them can reorder the text around it.
_DIRECTIONAL = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def tidy_name(value: str) -> str:
    """A name as stored: no directional or control characters, whitespace collapsed."""
    kept = "".join(
        char
        for char in value
        # Tabs and newlines are controls too; they become spaces below.
        if char.isspace() or not (char in _DIRECTIONAL or unicodedata.category(char) == "Cc")
    )
    return " ".join(kept.split())


def set_display_name(user, display_name: str) -> Profile:
    """Set the name others see. A second call with the same name writes nothing."""
    display_name = tidy_name(display_name)
    profile, created = Profile.objects.get_or_create(
        user=user, defaults={"display_name": display_name}
    )
    if not created and profile.display_name != display_name:
        profile.display_name = display_name
        profile.save(update_fields=["display_name"])
    # The cached relation would otherwise keep the old name for the rest of this request.
    user.profile = profile
    return profile
