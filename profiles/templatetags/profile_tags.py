"""Small presentation helpers for researcher pages.

Imported text (titles, abstracts, URLs) is untrusted: these filters return plain strings that
Django's autoescaping then escapes, and they only ever hand out http(s) links.
"""

from urllib.parse import urlsplit

from django import template

register = template.Library()

# Abstracts longer than this are collapsed behind a <details> with a teaser.
ABSTRACT_COLLAPSE_AT = 420
TEASER_LENGTH = 220


def _safe_http_url(url: str) -> str:
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in {"http", "https"} else ""


@register.filter
def work_url(work) -> str:
    """Where a work's title links: its DOI, else its arXiv page, else its landing page."""
    return work.doi_url or work.arxiv_url or _safe_http_url(work.landing_page_url)


@register.filter
def is_long_abstract(text: str) -> bool:
    return len(text or "") > ABSTRACT_COLLAPSE_AT


@register.filter
def teaser(text: str, length: int = TEASER_LENGTH) -> str:
    """The first words of ``text``, cut at a word boundary, with an ellipsis."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"
