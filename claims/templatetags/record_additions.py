"""The "add a missing work" and "this record is also me" sections of /my-record/, with the
context their htmx views give them too."""

from django import template

from claims.owner_requests import add_work_context, merge_request_context

register = template.Library()


@register.inclusion_tag("claims/_record_add_work.html", takes_context=True)
def add_work_section(context, researcher):
    return add_work_context(researcher) | {"request": context["request"]}


@register.inclusion_tag("claims/_record_merge_request.html", takes_context=True)
def merge_request_section(context, researcher):
    return merge_request_context(researcher) | {"request": context["request"]}
