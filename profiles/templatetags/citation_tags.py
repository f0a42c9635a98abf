"""The Cite control's styles and the absolute addresses of embed snippets."""

from django import template

from bzpeer.site import site_url
from profiles.citation import STYLES

register = template.Library()


@register.simple_tag
def citation_styles() -> list[tuple[str, str]]:
    """(style=, label) of every style the cite view offers, in the order offered."""
    return [(key, style.label) for key, style in STYLES.items()]


@register.simple_tag
def site_address(path: str) -> str:
    """The public address of a site path, for snippets pasted into other sites."""
    return site_url(path)
