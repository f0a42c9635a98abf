"""Small presentation helpers for researcher pages.

Imported text (titles, abstracts, URLs) is untrusted: these filters return plain strings that
Django's autoescaping then escapes, and they only ever hand out http(s) links.
"""

from urllib.parse import urlsplit

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from profiles.citation_metrics import citation_metrics, source_differences

register = template.Library()


@register.simple_tag
def citation_figures(researcher) -> dict:
    """The citation figures of the researcher's listed works, and the source's own figures
    where they differ, with why (two queries, two more when a figure differs; see
    profiles.citation_metrics)."""
    metrics = citation_metrics(researcher.pk)
    return {"metrics": metrics, "differences": source_differences(researcher, metrics)}


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
def owner_links(researcher) -> list[dict]:
    """The links the owner chose to show, keeping only well-formed http(s) ones."""
    links = []
    for link in researcher.links or []:
        if not isinstance(link, dict):
            continue
        url = _safe_http_url(str(link.get("url", "")))
        if url:
            links.append({"url": url, "label": str(link.get("label") or "").strip()})
    return links


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


# Names shown before a long author list (consortium papers) folds the rest behind <details>.
AUTHORS_SHOWN = 12


@register.filter
def added_by_researcher(work, profiled_pk=None) -> bool:
    """The work is on a record because its owner added it (the source does not list them): on
    a profile, that record's (``attach_authors``); elsewhere any record's (authorships
    prefetched)."""
    if profiled_pk:
        authors = getattr(work, "listed_authors", ())
        return any(a.added_by_owner and a.researcher_id == profiled_pk for a in authors)
    return any(a.added_by_owner for a in work.authorships.all())


@register.simple_tag
def work_authors(work, profiled_pk: int) -> str:
    """The work's authors in order (``attach_authors`` fetches them): co-authors with a
    record link to their page, the profiled researcher is emphasised, names without a record
    are shown as the source printed them.

    Built in Python rather than a template loop: a page of 50 works can carry hundreds of
    names, and this is most of the page's rendering time otherwise. Every name is escaped.
    """
    names = []
    for author in work.listed_authors:
        if author.researcher_id is None:
            template = '<span class="author author--unlinked" dir="auto">{name}</span>'
        elif author.researcher_id == profiled_pk:
            template = '<strong class="author author--self" dir="auto">{name}</strong>'
        else:
            # <bdi>, like dir="auto" on the others: an imported name cannot reorder its
            # neighbours.
            template = '<bdi><a class="author" href="/researchers/{pk}/">{name}</a></bdi>'
        names.append(format_html(template, pk=author.researcher_id, name=author.name))
    if len(names) <= AUTHORS_SHOWN:
        # Safe: every part was escaped by format_html above.
        return mark_safe(", ".join(names))
    shown, folded = names[:AUTHORS_SHOWN], names[AUTHORS_SHOWN:]
    return format_html(
        '{}, <details class="more-authors"><summary>and {} more</summary>{}</details>',
        mark_safe(", ".join(shown)),
        len(folded),
        mark_safe(", ".join(folded)),
    )
