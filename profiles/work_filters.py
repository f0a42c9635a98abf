"""Sorting, filtering and searching one researcher's listed works: the profile page and
``/api/researchers/<id>/works/`` read the same parameters here and apply the same rules.

``sort`` is ``year`` (newest first, then title: the profile's order), ``citations`` (most cited
first, ties by year then title) or ``title``. Filters: ``type`` (a work type bzpeer holds),
``year``, ``venue`` (a Source id, or ``name:`` and the venue name of works with no Source, as a
CSL import or arXiv's journal reference gives it: ``name:arXiv``), ``coauthor`` (a researcher
id; a merged record stands for the record it was merged into) and ``q`` (words of the title or
abstract, through the site search's ``works_matching``). They combine: a work is listed when it
passes every filter given.

A value that cannot be used raises ``BadWorksQuery``, naming the parameter: the API answers it
with a 400, the page explains it above an empty list.
"""

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Lower

from profiles.publications import of_works
from works.models import Authorship, Researcher, Source, Work
from works.search import BadQuery, clean_query, works_matching

# Sort name -> ordering on the annotations of ``sorted_works``. Field names rather than
# expressions, so the API's cursor pagination can read a position from a work. Years are
# positive, so a missing year (0) sorts last in the descending orders.
SORTS = {
    "year": ("-sort_year", "sort_title", "pk"),
    "citations": ("-cited_by_count", "-sort_year", "sort_title", "pk"),
    "title": ("sort_title", "-sort_year", "pk"),
}
SORT_LABELS = {"year": "Newest first", "citations": "Most cited", "title": "Title A\u2013Z"}
FILTERS = ("type", "year", "venue", "coauthor", "q")
PARAMETERS = ("sort", *FILTERS)
MAX_ID = 2**63 - 1
# The co-author control lists the most frequent ones; a co-author chosen by URL beyond them
# is still filtered on and shown as chosen.
COAUTHOR_OPTIONS = 100
# A venue without a Source is chosen by its name, after this prefix; a bare number is a
# Source id, so a venue named "2019" cannot be mistaken for one.
VENUE_NAME = "name:"


class BadWorksQuery(ValueError):
    def __init__(self, parameter: str, message: str, code: str, allowed=None):
        super().__init__(message)
        self.parameter = parameter
        self.code = code
        self.allowed = allowed


@dataclass(frozen=True)
class WorksQuery:
    sort: str = "year"
    type: str = ""
    year: int | None = None
    # The parameter as ``venue_value`` writes it: "12" (a Source id) or "name:arXiv".
    venue: str = ""
    coauthor: int | None = None
    q: str = ""
    # What the page says about the chosen venue and co-author.
    venue_name: str = field(default="", compare=False)
    coauthor_name: str = field(default="", compare=False)

    @property
    def is_filtered(self) -> bool:
        return any(self.params().get(name) for name in FILTERS)

    @property
    def ordering(self) -> tuple[str, ...]:
        return SORTS[self.sort]

    def params(self) -> dict[str, str]:
        """The parameters that give this query back, defaults left out (for links)."""
        values = {
            "sort": "" if self.sort == "year" else self.sort,
            "type": self.type,
            "year": "" if self.year is None else str(self.year),
            "venue": self.venue,
            "coauthor": "" if self.coauthor is None else str(self.coauthor),
            "q": self.q,
        }
        return {name: value for name, value in values.items() if value}

    def query_string(self) -> str:
        return urlencode(self.params())

    def described(self) -> list[str]:
        """Each filter in words, for the page's empty state."""
        parts = []
        if self.type:
            parts.append(f"type \u201c{self.type}\u201d")
        if self.year is not None:
            parts.append(f"year {self.year}")
        if self.venue:
            parts.append(f"venue \u201c{self.venue_name}\u201d")
        if self.coauthor is not None:
            parts.append(f"co-author {self.coauthor_name}")
        if self.q:
            parts.append(f"search \u201c{self.q}\u201d")
        return parts


def _whole_number(parameter: str, raw: str, what: str) -> int:
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise BadWorksQuery(parameter, f"{parameter} must be {what}, not {raw[:40]!r}.", "bad_id")
    return int(text)


def _year(raw: str) -> int:
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 4):
        raise BadWorksQuery(
            "year", f"year must be a year such as 2019, not {raw[:40]!r}.", "bad_year"
        )
    return int(text)


def _type(raw: str) -> str:
    value = raw.strip()
    if not Work.objects.filter(type=value).exists():
        raise BadWorksQuery(
            "type",
            f"No work in bzpeer has the type {value[:50]!r}.",
            "unknown_type",
            allowed=sorted(
                Work.objects.exclude(type="").order_by().values_list("type", flat=True).distinct()
            ),
        )
    return value


def venue_value(source_id: int | None, venue_name: str) -> str:
    """The ``venue`` parameter that chooses a venue: its Source id, else its name."""
    return str(source_id) if source_id is not None else f"{VENUE_NAME}{venue_name}"


def _venue(raw: str) -> tuple[str, str]:
    """(the ``venue`` parameter, the venue's name) of a value given; one query."""
    if raw.startswith(VENUE_NAME):
        # Stored names have their whitespace collapsed (imports, CSL alike).
        name = " ".join(raw.removeprefix(VENUE_NAME).split())
        if name:
            if not Work.objects.filter(source__isnull=True, venue_name=name).exists():
                raise BadWorksQuery(
                    "venue",
                    f"No work in bzpeer has the venue {name[:50]!r} (a venue with an id is "
                    "chosen by its id).",
                    "unknown_venue",
                )
            return venue_value(None, name), name
    venue = _whole_number("venue", raw, f"a venue id, or {VENUE_NAME} followed by a venue name")
    name = Source.objects.filter(pk=venue).values_list("display_name", flat=True).first()
    if name is None:
        raise BadWorksQuery("venue", f"No venue has the id {venue}.", "unknown_venue")
    return venue_value(venue, ""), name


def venue_filter(value: str) -> Q:
    """The works a ``venue`` parameter (as ``_venue`` checked it) chooses."""
    if value.startswith(VENUE_NAME):
        return Q(source__isnull=True, venue_name=value.removeprefix(VENUE_NAME))
    return Q(source_id=int(value))


def read_works_query(params, *, researcher_pk: int | None = None) -> WorksQuery:
    """The query a request's parameters ask for (a QueryDict or dict; blank values are unset)
    on the works of the researcher ``researcher_pk``, who is no co-author of their own.

    Reads the database for the values it checks: one query each for a type, a venue and a
    co-author given (the co-author's merge chain followed). Raises ``BadWorksQuery``."""
    raw = {name: (params.get(name) or "").strip() for name in PARAMETERS}
    sort = raw["sort"] or "year"
    if sort not in SORTS:
        raise BadWorksQuery(
            "sort", f"sort must be one of {', '.join(SORTS)}.", "bad_sort", allowed=list(SORTS)
        )
    try:
        q = clean_query(raw["q"])
    except BadQuery as error:
        raise BadWorksQuery("q", str(error), "bad_query") from error
    year = _year(raw["year"]) if raw["year"] else None
    venue, venue_name = _venue(raw["venue"]) if raw["venue"] else ("", "")
    coauthor = coauthor_record = None
    if raw["coauthor"]:
        requested = _whole_number("coauthor", raw["coauthor"], "a researcher id")
        coauthor_record = Researcher.objects.resolve(requested)
        if coauthor_record is None:
            raise BadWorksQuery(
                "coauthor", f"No researcher has the id {requested}.", "unknown_coauthor"
            )
        if coauthor_record.pk == researcher_pk:
            raise BadWorksQuery(
                "coauthor",
                f"{requested} is this researcher's own id; choose one of their co-authors.",
                "own_id",
            )
        coauthor = coauthor_record.pk
    return WorksQuery(
        sort=sort,
        type=_type(raw["type"]) if raw["type"] else "",
        year=year,
        venue=venue,
        coauthor=coauthor,
        q=q,
        venue_name=venue_name,
        coauthor_name=coauthor_record.display_name if coauthor_record else "",
    )


def filtered_works(works: QuerySet[Work], query: WorksQuery) -> QuerySet[Work]:
    """``works`` narrowed by the query's filters and in its order."""
    if query.type:
        works = works.filter(type=query.type)
    if query.year is not None:
        works = works.filter(publication_year=query.year)
    if query.venue:
        works = works.filter(venue_filter(query.venue))
    if query.coauthor is not None:
        works = works.filter(
            Exists(Authorship.objects.filter(work_id=OuterRef("pk"), researcher_id=query.coauthor))
        )
    if query.q:
        works = works_matching(query.q, works)
    return works.annotate(
        sort_year=Coalesce("publication_year", 0), sort_title=Lower("title")
    ).order_by(*query.ordering)


@dataclass
class FilterOptions:
    types: list[tuple[str, int]]
    years: list[tuple[int, int]]
    # (the venue parameter, the name, how many listed works)
    venues: list[tuple[str, str, int]]
    coauthors: list[tuple[int, str, int]]


def filter_options(researcher_id: int, listed: QuerySet[Work], query: WorksQuery) -> FilterOptions:
    """The choices of the page's controls, with how many listed works each has: types, years
    and venues from one grouped query over ``listed``, co-authors from one more."""
    rows = (
        listed.order_by()
        .values_list("type", "publication_year", "source_id", "source__display_name", "venue_name")
        .annotate(n=Count("pk"))
    )
    types, years, venues, venue_names = Counter(), Counter(), Counter(), {}
    for work_type, year, source_id, source_name, plain_name, n in rows:
        if work_type:
            types[work_type] += n
        if year is not None:
            years[year] += n
        # A work with a Source is chosen by its id; one without, by the name it gives.
        if source_id is not None or plain_name:
            value = venue_value(source_id, plain_name)
            venues[value] += n
            venue_names[value] = source_name if source_id is not None else plain_name
    coauthors = list(
        Authorship.objects.filter(of_works(listed))
        .exclude(researcher_id=researcher_id)
        .exclude(researcher_id=None)
        .values_list("researcher_id", "researcher__display_name")
        .annotate(n=Count("work_id", distinct=True))
        .order_by("-n", "researcher__display_name", "researcher_id")[:COAUTHOR_OPTIONS]
    )
    if query.coauthor is not None and query.coauthor not in {pk for pk, _, _ in coauthors}:
        coauthors.append((query.coauthor, query.coauthor_name, 0))
    # A chosen type, year or venue stays selectable even when no listed work has it.
    if query.type:
        types.setdefault(query.type, 0)
    if query.year is not None:
        years.setdefault(query.year, 0)
    if query.venue and query.venue not in venues:
        venues[query.venue] = 0
        venue_names[query.venue] = query.venue_name
    return FilterOptions(
        types=sorted(types.items()),
        years=sorted(years.items(), reverse=True),
        venues=sorted(
            ((value, venue_names[value], n) for value, n in venues.items()),
            key=lambda v: (v[1].lower(), v[0]),
        ),
        coauthors=coauthors,
    )
