"""The SQL every graph computation starts from: who wrote which visible work, counted once.

Two rules shape it:

* hidden works (``Work.is_hidden``, set by curation) do not count;
* a work that is a version of another (``version_of``: a preprint and its published version)
  counts once with it, so both are keyed by ``COALESCE(version_of_id, id)``, the "canonical
  work" (``cw``);

and a record merged into another (``Researcher.merged_into``) counts as the record it was
merged into (``rid``). The SQL is plain enough to run on PostgreSQL and SQLite alike.
"""

from collections.abc import Iterable

from django.db import connection


def placeholders(values: Iterable) -> tuple[str, list]:
    """``"%s, %s, %s"`` and the list of values, for an ``IN (...)`` clause."""
    values = list(values)
    return ", ".join(["%s"] * len(values)), values


# The few records merged into another, to look an authorship's record up in: joining every
# authorship to every record would read the whole researcher table (or probe its index once per
# authorship) to find the handful that were merged.
MERGED_RECORDS = (
    "SELECT id, merged_into_id FROM profiles_researcher WHERE merged_into_id IS NOT NULL"
)


def researcher_works_sql(authorship_researcher_ids: Iterable[int] | None = None) -> tuple:
    """SELECT (rid, cw, yr): one row per researcher and canonical visible work.

    ``yr`` is the earliest year among the visible versions the researcher is on. With
    ``authorship_researcher_ids``, only authorships of those records are read (pass the
    canonical ids and the ids of records merged into them).
    """
    where, params = "", []
    if authorship_researcher_ids is not None:
        marks, params = placeholders(authorship_researcher_ids)
        where = f"AND a.researcher_id IN ({marks})"
    sql = f"""
        SELECT COALESCE(m.merged_into_id, a.researcher_id) AS rid,
               COALESCE(w.version_of_id, w.id) AS cw,
               MIN(w.publication_year) AS yr
        FROM works_authorship a
        JOIN works_work w ON w.id = a.work_id
        LEFT JOIN ({MERGED_RECORDS}) m ON m.id = a.researcher_id
        WHERE w.is_hidden = %s AND a.researcher_id IS NOT NULL {where}
        GROUP BY COALESCE(m.merged_into_id, a.researcher_id), COALESCE(w.version_of_id, w.id)
    """  # noqa: S608 (constant SQL, values are parameters)
    return sql, [False, *params]


def materialise() -> tuple[str, list]:
    """Compute ``researcher_works_sql()`` once into a temporary table for a full recompute
    (collaborations, topics and trust all read it); returns SQL that selects from it."""
    sql, params = researcher_works_sql()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS graph_rw")
        cursor.execute(f"CREATE TEMP TABLE graph_rw AS {sql}", params)
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE graph_rw")
    return "SELECT rid, cw, yr FROM graph_rw", []


def drop_materialised() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS graph_rw")


def authorship_ids_for(researcher_ids: Iterable[int]) -> list[int]:
    """The given ids plus the ids of every record merged into one of them."""
    ids = sorted(set(researcher_ids))
    if not ids:
        return []
    marks, params = placeholders(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM profiles_researcher WHERE merged_into_id IN ({marks})",  # noqa: S608
            params,
        )
        return sorted(set(ids) | {row[0] for row in cursor.fetchall()})


def chunked(values: list, size: int = 2000):
    for start in range(0, len(values), size):
        yield values[start : start + size]
