"""The one-line summary under a researcher's name.

The owner's own words (``Researcher.summary``) win. Otherwise the line is generated from the
record alone: the researcher's top topics, counted by how many of their visible works carry
each, and their institution; with no topics, a factual line about the listed works ("Maosong
Sun: 47 arXiv preprints, 2020-2026", with an en dash). Never filler: every word comes from the data.

On PostgreSQL the live counts are driven from the researcher's own authorships through indexes,
each step reading one table (``_LISTED``), so their plan cannot depend on table statistics: with
stale ones, the join the ORM writes was once planned as nested loops over sequential scans and
ran for twenty minutes. SQLite runs the same rule through the ORM.
"""

from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Max, Min, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from profiles.models import ResearcherTopic
from profiles.publications import entries_for
from works.models import Researcher, Topic, WorkTopic

TOP_TOPICS = 3

# The researcher's listed works (``profiles.publications.entries_for``, not hidden): authored,
# visible, and not a version of another listed work. Each ARRAY(...) runs once, before the scan
# that uses it, so no step can become a join that rescans a table for every row.
_LISTED = """
    WITH authored AS MATERIALIZED (
        SELECT id, version_of_id, type, source_id, venue_name, publication_year
        FROM works_work
        WHERE id = ANY(ARRAY(
            SELECT work_id FROM works_authorship WHERE researcher_id = %(researcher)s
        ))
        AND NOT is_hidden
    ),
    listed AS MATERIALIZED (
        SELECT * FROM authored
        WHERE version_of_id IS NULL OR NOT version_of_id = ANY(ARRAY(SELECT id FROM authored))
    )
"""
# Constants only: the researcher and the limit travel as parameters.
_LIVE_TOPICS = (
    _LISTED  # noqa: S608
    + """
    SELECT topic.id, topic.display_name, topic.level
    FROM (
        SELECT topic_id, count(*) AS n
        FROM works_worktopic
        WHERE work_id = ANY(ARRAY(SELECT id FROM listed))
        GROUP BY topic_id
    ) AS counted
    JOIN works_topic AS topic ON topic.id = counted.topic_id
    ORDER BY counted.n DESC, topic.display_name
    LIMIT %(limit)s
"""
)
_RECORD_GROUPS = (
    _LISTED  # noqa: S608
    + """
    SELECT
        type,
        coalesce(
            (SELECT display_name FROM works_source WHERE id = source_id), nullif(venue_name, '')
        ) AS venue,
        count(*),
        min(publication_year),
        max(publication_year)
    FROM listed
    GROUP BY 1, 2
"""
)

# Plurals of the OpenAlex / CSL work types the line may name.
_TYPE_PLURALS = {
    "article": "articles",
    "preprint": "preprints",
    "book": "books",
    "book-chapter": "book chapters",
    "dataset": "datasets",
    "dissertation": "dissertations",
    "review": "reviews",
    "report": "reports",
    "editorial": "editorials",
    "letter": "letters",
    "standard": "standards",
    "paper-conference": "conference papers",
}


def summary_for(researcher: Researcher, topics: "list[RankedTopic] | None" = None) -> str:
    """The owner's summary, or a line generated from the record (``topics``: its
    :func:`ranked_topics`, when the caller has them already)."""
    if researcher.summary.strip():
        return researcher.summary.strip()
    names = [topic.name for topic in (ranked_topics(researcher) if topics is None else topics)]
    institution = researcher.last_known_institution
    if names:
        where = f" at {institution.display_name}" if institution else ""
        return f"{researcher.display_name} works on {_join(names)}{where}."
    return _record_line(researcher)


def summary_html(researcher: Researcher, topics: "list[RankedTopic]") -> str:
    """:func:`summary_for` for the profile page: a generated line links each topic it names to
    the topic's page."""
    if researcher.summary.strip() or not topics:
        return summary_for(researcher, topics)
    links = [
        format_html(
            '<a href="{}"><bdi>{}</bdi></a>', reverse("profiles:topic", args=[t.pk]), t.name
        )
        for t in topics
    ]
    institution = researcher.last_known_institution
    where = f" at {institution.display_name}" if institution else ""
    return format_html(
        "{} works on {}{}.",
        researcher.display_name,
        mark_safe(_join([t.name for t in topics], links)),
        where,
    )


class RankedTopic(NamedTuple):
    pk: int
    name: str
    level: str


def ranked_topics(researcher: Researcher, limit: int = TOP_TOPICS) -> list[RankedTopic]:
    """The topics most of the researcher's visible works carry, most first.

    Reads the graph app's stored ranking (``ResearcherTopic``, one small query whatever the
    number of works); until that has been computed for this researcher, counts live. Prefers
    the leaves of the OpenAlex hierarchy (level "topic"); subfields, fields and domains are
    used only when a record carries nothing finer.
    """
    ranked = [
        RankedTopic(row.topic_id, row.topic.display_name, row.topic.level)
        for row in ResearcherTopic.objects.filter(researcher=researcher)
        .select_related("topic")
        .order_by("rank")[: limit * 4]
    ]
    if not ranked:
        ranked = [RankedTopic(*row) for row in _live_topics(researcher.pk, limit * 4)]
    leaves = [topic for topic in ranked if topic.level == Topic.Level.TOPIC]
    return (leaves or ranked)[:limit]


def top_topics(researcher: Researcher, limit: int = TOP_TOPICS) -> list[str]:
    """Names of :func:`ranked_topics`."""
    return [topic.name for topic in ranked_topics(researcher, limit)]


def live_topics_query(researcher_id: int, limit: int) -> tuple[str, dict]:
    """PostgreSQL: the SQL and parameters of the live topic count."""
    return _LIVE_TOPICS, {"researcher": researcher_id, "limit": limit}


def _live_topics(researcher_id: int, limit: int) -> list[tuple[int, str, str]]:
    """(id, name, level) of the topics most of the researcher's listed works carry, most first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(*live_topics_query(researcher_id, limit))
            return cursor.fetchall()
    return [
        (row["topic_id"], row["topic__display_name"], row["topic__level"])
        for row in WorkTopic.objects.filter(
            work__in=entries_for(researcher_id).filter(is_hidden=False)
        )
        .values("topic_id", "topic__display_name", "topic__level")
        .annotate(n=Count("work", distinct=True))
        .order_by("-n", "topic__display_name")[:limit]
    ]


def _record_groups(researcher_id: int) -> list[dict]:
    """The listed works counted by type and venue, with their first and last years."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_RECORD_GROUPS, {"researcher": researcher_id})
            return [
                {"type": kind, "venue": venue, "n": n, "first": first, "last": last}
                for kind, venue, n, first, last in cursor.fetchall()
            ]
    return list(
        entries_for(researcher_id)
        .filter(is_hidden=False)
        .order_by()
        .values(
            "type",
            venue=Coalesce("source__display_name", NullIf("venue_name", Value(""))),
        )
        .annotate(
            n=Count("pk"),
            first=Min("publication_year", filter=Q(publication_year__isnull=False)),
            last=Max("publication_year"),
        )
    )


def _record_line(researcher: Researcher) -> str:
    institution = researcher.last_known_institution
    who = researcher.display_name
    if institution:
        who = f"{who} ({institution.display_name})"
    groups = _record_groups(researcher.pk)
    total = sum(g["n"] for g in groups)
    if not total:
        return f"{who}: no works imported yet."
    years = [y for g in groups for y in (g["first"], g["last"]) if y]
    span = ""
    if years:
        lo, hi = min(years), max(years)
        span = f", {lo}" if lo == hi else f", {lo}\u2013{hi}"
    return f"{who}: {total} {_kind(groups, total)}{span}."


def _kind(groups: list[dict], total: int) -> str:
    types = {g["type"] for g in groups}
    venues = {g["venue"] for g in groups}
    noun = "works"
    if len(types) == 1:
        noun = _TYPE_PLURALS.get(types.pop(), "works")
    if len(venues) == 1 and (venue := venues.pop()):
        noun = f"{venue} {noun}"
    if total == 1:
        noun = _singular(noun)
    return noun


def _singular(noun: str) -> str:
    return noun[:-1] if noun.endswith("s") else noun


def _join(names: list[str], shown: list[str] | None = None) -> str:
    """ "A, B and C" of ``names`` (or of ``shown``, the same names as they are to be shown)."""
    shown = names if shown is None else shown
    if len(shown) == 1:
        return shown[0]
    # Topic names often contain "and" themselves ("Cultural Heritage and Archaeology"), so
    # such lists are separated with semicolons to stay readable.
    if any(" and " in name or "," in name for name in names):
        return f"{'; '.join(shown[:-1])}; and {shown[-1]}"
    return f"{', '.join(shown[:-1])} and {shown[-1]}"
