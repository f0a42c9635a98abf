"""Template helpers for the graph partials: the trust explanation and the per-year charts
(works per year, citations per year: one bar layout, ``year_chart``, drawn by one partial)."""

from django import template
from django.db.models import Count, Q

from graph.trust import Evidence, explain
from profiles.citation_metrics import citations_per_year as listed_citations_per_year
from works.models import Work

register = template.Library()

CHART_WIDTH, CHART_HEIGHT, CHART_BASE = 320, 96, 78


@register.simple_tag
def trust_components(researcher) -> list[dict]:
    """The stored score's components with their items, explained; [] before the first score."""
    evidence = (researcher.trust_breakdown or {}).get("evidence")
    if not evidence:
        return []
    known = {name: evidence[name] for name in Evidence.__dataclass_fields__ if name in evidence}
    return explain(Evidence(**known))


@register.simple_tag
def works_per_year(researcher) -> dict:
    """Bars for the researcher's visible works per year (one query; a preprint counts once
    with its published version, as everywhere in the graph)."""
    rows = (
        Work.objects.visible()
        .filter(authorships__researcher_id=researcher.pk)
        .filter(Q(version_of__isnull=True) | Q(version_of__is_hidden=True))
        .order_by()
        .values("publication_year")
        .annotate(n=Count("pk", distinct=True))
    )
    counts = {row["publication_year"]: row["n"] for row in rows}
    undated = counts.pop(None, 0)
    return year_chart(counts, undated)


@register.simple_tag
def citations_per_year(researcher) -> dict:
    """Bars for the citations the researcher's listed works received each year (one query)."""
    return year_chart(listed_citations_per_year(researcher.pk))


def year_chart(counts: dict[int, int], undated: int = 0) -> dict:
    """The bars of a per-year chart of ``counts`` ({year: n}), every year from the first to
    the last with a bar (zero for a gap), scaled to the highest; no bars when nothing counts."""
    if not any(counts.values()):
        return {"bars": [], "undated": undated, "total": undated}
    first, last = min(counts), max(counts)
    years = list(range(first, last + 1))
    peak = max(counts.values())
    slot = CHART_WIDTH / len(years)
    bars = []
    for index, year in enumerate(years):
        n = counts.get(year, 0)
        height = round((CHART_BASE - 8) * n / peak, 1)
        bars.append(
            {
                "year": year,
                "count": n,
                "x": round(index * slot + slot * 0.1, 1),
                "width": round(max(slot * 0.8, 1), 1),
                "y": round(CHART_BASE - height, 1),
                "height": height,
            }
        )
    return {
        "bars": bars,
        "first": first,
        "last": last,
        "peak": peak,
        "undated": undated,
        "total": sum(counts.values()) + undated,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "base": CHART_BASE,
        "summary": ", ".join(f"{b['year']}: {b['count']}" for b in bars if b["count"]),
    }


# One colour per kind of node, shared by the slice picture and the explorer legend.
COLOURS = {
    "researcher": "#1f2937",
    "person": "#2f6f9f",
    "work": "#c2571a",
    "topic": "#3d8b4f",
    "institution": "#7a4fa0",
}


@register.simple_tag
def node_colour(kind: str) -> str:
    return COLOURS.get(kind, "#6b7280")


@register.inclusion_tag("graph/_people_around.html")
def people_around(researcher) -> dict:
    """The profile's sidebar: co-authors with their institutions, and similar researchers
    (graph/similar.py; two queries)."""
    from graph.similar import coauthors_of, similar_to

    return {
        "researcher": researcher,
        "coauthors": coauthors_of(researcher.pk),
        "similar": similar_to(researcher.pk),
    }
