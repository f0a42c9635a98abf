from django import template

from accounts.names import person_name as _person_name

register = template.Library()


@register.filter
def person_name(user) -> str:
    """``{{ user|person_name }}``: the name the person chose (see ``accounts.names``)."""
    return _person_name(user)
