"""Citation figures of a researcher's listed works: total citations, h-index, i10-index and
citations per year.

They are computed from the same set of works the profile lists (``publications.entries_for``,
hidden works left out, a preprint counted once with its published version), so the numbers
agree with the list a reader sees. The source's own figures (``Researcher.source_*`` and
``h_index``) count every work it attributes to the author, and are shown beside ours where
they differ, with the reason.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber

from profiles.publications import entries_for
from works.models import Researcher

# A work counts towards the i10-index with at least this many citations (Google Scholar's rule).
I10_THRESHOLD = 10


@dataclass(frozen=True)
class CitationMetrics:
    works: int
    cited_by_count: int
    h_index: int
    i10_index: int


def _listed(researcher_id):
    return entries_for(researcher_id).filter(is_hidden=False).order_by()


def citation_metrics(researcher_id) -> CitationMetrics:
    """The figures of the listed works, in two queries whatever their number."""
    totals = _listed(researcher_id).aggregate(
        works=Count("pk"),
        cited=Sum("cited_by_count"),
        i10=Count("pk", filter=Q(cited_by_count__gte=I10_THRESHOLD)),
    )
    # The h-index is the number of works, most cited first, whose citations reach their rank.
    ranked = _listed(researcher_id).annotate(
        rank=Window(RowNumber(), order_by=[F("cited_by_count").desc(), F("pk").asc()])
    )
    h_index = ranked.filter(cited_by_count__gte=F("rank")).count()
    return CitationMetrics(
        works=totals["works"],
        cited_by_count=totals["cited"] or 0,
        h_index=h_index,
        i10_index=totals["i10"],
    )


def citations_per_year(researcher_id) -> dict[int, int]:
    """{year: citations received that year} summed over the listed works' yearly counts as
    the source gives them (OpenAlex gives the recent years only), in one query."""
    totals: Counter[int] = Counter()
    for counts in _listed(researcher_id).values_list("counts_by_year", flat=True):
        for entry in counts or []:
            totals[entry["year"]] += entry["cited_by_count"]
    return dict(totals)


@dataclass(frozen=True)
class SourceDifference:
    label: str
    ours: int
    theirs: int
    why: str


def source_differences(researcher: Researcher, ours: CitationMetrics) -> list[SourceDifference]:
    """The source's own figures that differ from ours, each with a plain-English reason."""
    source = researcher.get_origin_display()
    if researcher.source_works_count is None or ours.works == researcher.source_works_count:
        works_why = ""
    else:
        works_why = (
            f"{source} counts {researcher.source_works_count} "
            f"work{'s' if researcher.source_works_count != 1 else ''}; "
            f"{ours.works} {'are' if ours.works != 1 else 'is'} listed here"
        )
    reason = works_why or f"{source} computed its figure when it last updated the record"
    candidates = [
        ("Works", ours.works, researcher.source_works_count, works_why),
        ("Citations", ours.cited_by_count, researcher.source_cited_by_count, reason),
        ("h-index", ours.h_index, researcher.h_index, reason),
    ]
    return [
        SourceDifference(label, mine, theirs, why)
        for label, mine, theirs, why in candidates
        if theirs is not None and theirs != mine and why
    ]
