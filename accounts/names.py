"""The one place that decides how a user is named on pages, in notifications and in emails."""

from django.core.exceptions import ObjectDoesNotExist


def person_name(user) -> str:
    """The name the person chose; for accounts made before names were asked (or by ORCID
    sign-in without the form), their full name, then their username as the last resort."""
    if user is None or not getattr(user, "pk", None):
        return ""
    try:
        chosen = user.profile.display_name
    except ObjectDoesNotExist:
        chosen = ""
    return chosen or user.get_full_name() or user.get_username()
