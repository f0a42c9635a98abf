"""Who may use a staff page or action: the one check every app asks.

Staff status opens the door (as it does for the admin) but grants nothing by itself: each page
and action names the model permission it needs, given in the admin under Users or Groups.
Superusers hold every permission.
"""

from django.core.exceptions import PermissionDenied


def has_staff_permission(user, perm: str) -> bool:
    """True for an active staff user holding ``perm`` ("app_label.codename")."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(perm)
    )


def require_staff_permission(user, perm: str, refuse: type[Exception] = PermissionDenied) -> None:
    """Raise ``refuse`` (PermissionDenied unless told; public pages pass Http404 so a guessed
    id reveals nothing) unless the user is active staff holding ``perm``."""
    if not has_staff_permission(user, perm):
        raise refuse
