"""The owner's works section of /my-record/, with the context its htmx views give it too."""

from django import template

from claims.record_works import section_context

register = template.Library()


@register.inclusion_tag("claims/_record_not_mine.html", takes_context=True)
def not_mine_section(context, researcher):
    request = context["request"]
    return section_context(researcher, request.GET.get("works_page") or 1) | {"request": request}
