"""Which works a researcher's page lists, and how many.

One rule serves the profile page, its counts and the home page's counts, so they always agree:
a researcher's *listed* works are the works they authored (through ``Authorship``) that are not
hidden by curation and are not a version of another visible work of theirs. A preprint that
points at its published version (``version_of``) is shown under that version, not twice; but if
the published version is hidden, or was written under another author record, the preprint stays
listed so nothing the researcher wrote disappears silently.
"""

from collections import defaultdict
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    BigAutoField,
    Count,
    Exists,
    F,
    Func,
    Lookup,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Lower

from works.models import Authorship, Work


def _version_of_visible_authored(researcher_id) -> Exists:
    return Exists(
        Authorship.objects.filter(
            work_id=OuterRef("version_of_id"),
            researcher_id=researcher_id,
            work__is_hidden=False,
        )
    )


class _AnyOf(Lookup):
    """``field = ANY(array)`` (PostgreSQL), for an ``ArraySubquery`` on the right."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


BigAutoField.register_lookup(_AnyOf)


def _authored_work_ids(researcher_id) -> Q:
    """Works the researcher authored, found from their own authorships.

    On PostgreSQL the ids are read first (``id = ANY(ARRAY(SELECT work_id ...))``: an init plan
    on the authorships index, then the works by primary key), so the cost follows the
    researcher's works, never the whole works table, whatever the planner's statistics say;
    a semi-join could be planned as a scan of every work hashed against the authorships.
    """
    # No ordering: an authorship's default order would join the works to sort them.
    own = Authorship.objects.filter(researcher_id=researcher_id).order_by().values("work_id")
    if connection.vendor == "postgresql":
        return Q(pk__any_of=ArraySubquery(own))
    return Q(pk__in=own)


def _not_a_version_of_visible_authored(researcher_id) -> Q:
    """Not a version of a visible work the researcher authored.

    On PostgreSQL, like ``_authored_work_ids``, those works' ids are read once into an array:
    a correlated anti-join can be planned as a nested loop over every pair of the researcher's
    works, which on a freshly filled table with no statistics took seconds for 500 works.
    """
    if connection.vendor == "postgresql":
        # The visible ones among the authored works, found by id as well: joined to the
        # authorships instead, the works could be scanned whole and hashed.
        visible_own = (
            Work.objects.filter(_authored_work_ids(researcher_id), is_hidden=False)
            .order_by()
            .values("pk")
        )
        return ~Q(version_of__pk__any_of=ArraySubquery(visible_own))
    return ~Q(_version_of_visible_authored(researcher_id))


def authored_by(researcher_id) -> Q:
    """Every work the researcher authored: entries of their list, hidden works and versions."""
    return _authored_work_ids(researcher_id)


def under_another_entry(researcher_id) -> Q:
    """A version of a visible work the researcher authored (a preprint under its published
    version): the authored works that ``entries_for`` leaves out."""
    return ~_not_a_version_of_visible_authored(researcher_id)


def entries_for(researcher_id) -> QuerySet[Work]:
    """The researcher's works that are entries of their list, hidden ones included."""
    return Work.objects.filter(_authored_work_ids(researcher_id)).filter(
        _not_a_version_of_visible_authored(researcher_id)
    )


def of_works(works: QuerySet[Work]) -> Q:
    """Rows whose ``work`` is one of ``works``: on PostgreSQL its ids are read once into an
    array and the rows found by their ``work_id`` index, whatever the planner's estimates."""
    ids = works.order_by().values("pk")
    if connection.vendor == "postgresql":
        return Q(work__pk__any_of=ArraySubquery(ids))
    return Q(work__in=ids)


def listed_works(researcher_id) -> QuerySet[Work]:
    """Listed works, newest year first then title, with what each list item shows prefetched.

    Each work gets ``visible_versions`` (with their venue) as a plain list, in one prefetch
    query per page (``to_attr`` spares Django building a queryset per work). Authors are
    attached separately by ``attach_authors`` once the page is cut.
    """
    return (
        entries_for(researcher_id)
        .filter(is_hidden=False)
        .select_related("source")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=Work.objects.visible()
                .select_related("source")
                .order_by(F("publication_year").desc(nulls_last=True), Lower("title"), "pk"),
                to_attr="visible_versions",
            ),
        )
        .order_by(F("publication_year").desc(nulls_last=True), Lower("title"), "pk")
    )


class Author(NamedTuple):
    researcher_id: int | None
    name: str
    # The record's owner put the work on it; the source does not list them.
    added_by_owner: bool = False


def attach_authors(works: list[Work]) -> list[Work]:
    """Give each work ``listed_authors``: its authors in order, in one query for all of them.

    Plain tuples rather than Authorship and Researcher instances: a page of 50 works can
    name hundreds of authors, and building two model instances per name was most of the
    page's time. The name is the researcher record's, or the source's raw name without one.
    """
    by_work: dict[int, list[Author]] = defaultdict(list)
    rows = (
        Authorship.objects.filter(work_id__in=[work.pk for work in works])
        # Explicit order: Authorship's default ordering would join works to sort.
        .order_by("work_id", "order")
        .values_list(
            "work_id",
            "researcher_id",
            "researcher__display_name",
            "raw_author_name",
            "added_by_owner",
        )
    )
    for work_id, researcher_id, record_name, raw_name, added_by_owner in rows:
        name = record_name if researcher_id is not None else raw_name
        by_work[work_id].append(Author(researcher_id, name or "Unknown author", added_by_owner))
    for work in works:
        work.listed_authors = by_work[work.pk]
    return works


def entry_counts(researcher_id) -> tuple[int, int]:
    """(listed, hidden by curation) in one query."""
    counts = entries_for(researcher_id).aggregate(
        listed=Count("pk", filter=Q(is_hidden=False)),
        hidden=Count("pk", filter=Q(is_hidden=True)),
    )
    return counts["listed"], counts["hidden"]


class _CountDistinct(Func):
    # A bare COUNT that Django does not treat as an aggregate, so the correlated subquery
    # below gets no GROUP BY and yields exactly one row per researcher.
    function = "COUNT"
    template = "%(function)s(DISTINCT %(expressions)s)"


def listed_works_count_subquery() -> Subquery:
    """Per-researcher listed works count, to annotate a Researcher queryset in one query."""
    authorships = (
        Authorship.objects.filter(researcher_id=OuterRef("pk"), work__is_hidden=False)
        .exclude(
            Exists(
                Authorship.objects.filter(
                    work_id=OuterRef("work__version_of_id"),
                    researcher_id=OuterRef("researcher_id"),
                    work__is_hidden=False,
                )
            )
        )
        .order_by()
        .annotate(n=_CountDistinct("work_id"))
        .values("n")
    )
    return Subquery(authorships)
