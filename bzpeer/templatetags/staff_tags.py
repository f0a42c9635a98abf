"""Templates show a staff link or button only to whom the page behind it would serve."""

from django import template

from bzpeer.staff import has_staff_permission

register = template.Library()


@register.filter
def has_staff_perm(user, perm: str) -> bool:
    """``{% if user|has_staff_perm:"claims.view_claim" %}``: the check the view makes."""
    return has_staff_permission(user, perm)
