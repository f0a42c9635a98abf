"""Citation figures of a researcher's listed works: total citations, h-index, i10-index and
citations per year.

They are computed from the same set of works the profile lists (``publications.entries_for``,
hidden works left out, a preprint counted once with its published version), so the numbers
agree with the list a reader sees. The source's own figures (``Researcher.source_*`` and
``h_index``) count every work it attributes to the author, and are shown beside ours where
they differ, with the reasons the data gives (``source_differences``).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Sum, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils.formats import date_format

from profiles.publications import authored_by, entries_for, under_another_entry
from works.curation import not_mine_marks
from works.models import Authorship, Researcher, Work

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
    # Plain-English sentences, ending with a full stop.
    why: str


@dataclass(frozen=True)
class Unlisted:
    """What sets the researcher's record apart from the listed works, with each part's
    citations: works the source counts that the list leaves out, and works the list holds
    that the source does not count (added by the owner)."""

    versions: int = 0
    versions_cited: int = 0
    hidden: int = 0
    hidden_cited: int = 0
    not_mine: int = 0
    not_mine_cited: int = 0
    added: int = 0
    added_cited: int = 0
    # When the listed works' citation counts were read (Work.cited_by_read_on).
    read_from: date | None = None
    read_to: date | None = None


def unlisted(researcher_id) -> Unlisted:
    """The parts of ``Unlisted``, in two queries whatever the number of works."""
    authored = authored_by(researcher_id)
    not_mine_ids = set(not_mine_marks(researcher_id))
    listed = authored & Q(is_hidden=False) & ~under_another_entry(researcher_id)
    parts = {
        "versions": authored & Q(is_hidden=False) & under_another_entry(researcher_id),
        "hidden": authored & Q(is_hidden=True),
        "added": listed
        & Q(
            Exists(
                Authorship.objects.filter(
                    work_id=OuterRef("pk"), researcher_id=researcher_id, added_by_owner=True
                )
            )
        ),
    }
    works = authored
    if not_mine_ids:
        # Only when there are some: an empty IN would make Django skip the whole query.
        parts["not_mine"] = Q(pk__in=not_mine_ids)
        works = authored | parts["not_mine"]
    aggregates = {}
    for name, condition in parts.items():
        aggregates[name] = Count("pk", filter=condition)
        aggregates[f"{name}_cited"] = Coalesce(Sum("cited_by_count", filter=condition), 0)
    figures = (
        Work.objects.filter(works)
        .order_by()
        .aggregate(
            **aggregates,
            read_from=Min("cited_by_read_on", filter=listed),
            read_to=Max("cited_by_read_on", filter=listed),
        )
    )
    return Unlisted(**figures)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _day(value) -> str:
    return date_format(value, "j M Y")


def _source_day(researcher: Researcher) -> str:
    """The day the source last updated its record ("21 Sep 2025"), "" when unknown."""
    try:
        return _day(date.fromisoformat(researcher.source_updated[:10]))
    except ValueError:
        return ""


def _works_why(source: str, as_of: str, theirs: int, ours: int, part: Unlisted) -> tuple[str, int]:
    """Why the work counts differ, and how many works the known reasons leave unexplained
    (positive: more at the source)."""
    left_out = []
    if part.versions == 1:
        left_out.append("1 preprint listed under its published version")
    elif part.versions:
        left_out.append(f"{part.versions} preprints listed under their published versions")
    if part.hidden:
        left_out.append(_plural(part.hidden, "work") + " hidden by staff")
    if part.not_mine:
        left_out.append(_plural(part.not_mine, "work") + " the researcher marked as not theirs")
    sentences = [f"Not counted here: {_and(left_out)}."] if left_out else []
    if part.added:
        sentences.append(
            f"Counted here only: {_plural(part.added, 'work')} the researcher added to the record."
        )
    rest = theirs - (ours + part.versions + part.hidden + part.not_mine - part.added)
    if rest > 0:
        sentences.append(
            f"{_plural(rest, 'other work')} {source} counts "
            f"{'is' if rest == 1 else 'are'} not held under this record here."
        )
    elif rest < 0:
        sentences.append(
            f"{_plural(-rest, 'work')} listed here {'is' if rest == -1 else 'are'} "
            f"not counted by {source}."
        )
    if rest and as_of:
        sentences.append(f"{source}'s figures date from {as_of}.")
    return " ".join(sentences), rest


def _citations_why(
    source: str, as_of: str, theirs: int, ours: int, part: Unlisted, works_rest: int
) -> str:
    left_out = []
    if part.versions_cited:
        left_out.append(
            _plural(part.versions_cited, "citation")
            + (
                " of the preprint listed under its published version"
                if part.versions == 1
                else " of the preprints listed under their published versions"
            )
        )
    if part.hidden_cited:
        left_out.append(
            _plural(part.hidden_cited, "citation")
            + (" of the work" if part.hidden == 1 else " of the works")
            + " hidden by staff"
        )
    if part.not_mine_cited:
        left_out.append(
            _plural(part.not_mine_cited, "citation")
            + (" of the work" if part.not_mine == 1 else " of the works")
            + " the researcher marked as not theirs"
        )
    sentences = [f"Not counted here: {_and(left_out)}."] if left_out else []
    if part.added_cited:
        sentences.append(
            f"Counted here only: {_plural(part.added_cited, 'citation')} of the "
            f"{'work' if part.added == 1 else 'works'} the researcher added."
        )
    rest = theirs - (
        ours + part.versions_cited + part.hidden_cited + part.not_mine_cited - part.added_cited
    )
    if rest:
        causes = "works not held here and " if works_rest > 0 else ""
        subject = (
            f"The remaining difference of {abs(rest)} is" if sentences else "The difference is"
        )
        sentences.append(f"{subject} down to {causes}counts made on different days.")
        dates = []
        if as_of:
            dates.append(f"{source}'s total dates from {as_of}")
        if part.read_from and part.read_to:
            read = (
                f"on {_day(part.read_from)}"
                if part.read_from == part.read_to
                else f"between {_day(part.read_from)} and {_day(part.read_to)}"
            )
            dates.append(f"the works' counts here were read {read}")
        if dates:
            text = "; ".join(dates)
            sentences.append(f"{text[0].upper()}{text[1:]}.")
    return " ".join(sentences)


def _h_index_why(
    source: str, as_of: str, theirs_works: int | None, ours_works: int, part: Unlisted
) -> str:
    day = f", as of {as_of}" if as_of else ""
    other_works = part.versions or part.hidden or part.not_mine or part.added
    if theirs_works is not None and (other_works or theirs_works != ours_works):
        return (
            f"{source} computes it over the {theirs_works} works it counts{day}, "
            "not over the works listed here."
        )
    return f"{source} computes it from its own citation counts{day}."


def source_differences(researcher: Researcher, ours: CitationMetrics) -> list[SourceDifference]:
    """The source's own figures that differ from ours, each with the reasons the data gives:
    what the list leaves out (preprints under their published version, hidden works, works the
    owner marked not theirs), what it adds (works the owner added), and the day the source
    made its figures. Two queries when a figure differs (``unlisted``), none otherwise."""
    figures = [
        ("Works", ours.works, researcher.source_works_count),
        ("Citations", ours.cited_by_count, researcher.source_cited_by_count),
        ("h-index", ours.h_index, researcher.h_index),
    ]
    differing = {
        label: (mine, theirs) for label, mine, theirs in figures if theirs not in (None, mine)
    }
    if not differing:
        return []
    source = researcher.get_origin_display()
    as_of = _source_day(researcher)
    part = unlisted(researcher.pk)
    theirs_works = researcher.source_works_count
    works_why, works_rest = "", 0
    if theirs_works is not None:
        works_why, works_rest = _works_why(source, as_of, theirs_works, ours.works, part)
    differences = []
    for label, (mine, theirs) in differing.items():
        if label == "Works":
            why = works_why
        elif label == "Citations":
            why = _citations_why(source, as_of, theirs, mine, part, works_rest)
        else:
            why = _h_index_why(source, as_of, theirs_works, ours.works, part)
        differences.append(SourceDifference(label, mine, theirs, why))
    return differences
