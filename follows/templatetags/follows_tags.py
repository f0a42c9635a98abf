from django import template

from follows.models import Follow

register = template.Library()


@register.simple_tag(takes_context=True)
def is_following(context, researcher) -> bool:
    """Whether the signed-in user follows ``researcher``: one query, none when signed out.

    A view that already knows (the follow view) passes ``is_following`` in the context."""
    if "is_following" in context:
        return bool(context["is_following"])
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, researcher=researcher).exists()


@register.simple_tag(takes_context=True)
def unread_notifications_count(context) -> int:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return user.notifications.filter(read_at__isnull=True).count()
