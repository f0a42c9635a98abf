"""How many works each record's page lists, kept on the record (``listed_works_count``).

The rule is profiles.publications' (``entries_for``, ``listed_works_count_subquery``): the
visible works the record itself authored, less a work that is a version of another visible
work of the same record (a preprint shown under its published version counts once). It is
counted per record, not per canonical record as the graph's other counters are: a merged
record's authorships have moved to the record it was merged into, and it lists none.
"""

from collections.abc import Iterable

from django.db import connection

from graph.visible_works import chunked, placeholders

# A record's listed authorships: visible works, less the versions of another visible work of
# theirs (only the few works with a version_of need that look-up).
_LISTED = """
    FROM works_authorship a
    JOIN works_work w ON w.id = a.work_id
    WHERE w.is_hidden = %s AND {researchers}
      AND (w.version_of_id IS NULL OR NOT EXISTS (
          SELECT 1 FROM works_authorship b
          JOIN works_work v ON v.id = b.work_id
          WHERE b.work_id = w.version_of_id
            AND b.researcher_id = a.researcher_id
            AND v.is_hidden = %s
      ))
"""


def _counts_sql(researcher_ids: list[int] | None) -> tuple[str, list]:
    """SELECT (id, n): every record (or these) and its listed works count."""
    if researcher_ids is None:
        # Everyone: one pass over the authorships, grouped.
        listed = _LISTED.format(researchers="a.researcher_id IS NOT NULL")
        sql = f"""
            SELECT r.id, COALESCE(listed.n, 0) AS n
            FROM profiles_researcher r
            LEFT JOIN (
                SELECT a.researcher_id, COUNT(DISTINCT a.work_id) AS n {listed}
                GROUP BY a.researcher_id
            ) listed ON listed.researcher_id = r.id
        """  # noqa: S608 (constant SQL)
        return sql, [False, False]
    # A few: one count per record, through the (researcher, work) index, where a join
    # would read every work to find a thousand.
    listed = _LISTED.format(researchers="a.researcher_id = r.id")
    marks, params = placeholders(researcher_ids)
    sql = f"""
        SELECT r.id, (SELECT COUNT(DISTINCT a.work_id) {listed}) AS n
        FROM profiles_researcher r WHERE r.id IN ({marks})
    """  # noqa: S608 (constant SQL, values are parameters)
    return sql, [False, False, *params]


def recompute(researcher_ids: Iterable[int] | None = None) -> int:
    """Write the listed works count of these records (every record for None), skipping the
    records whose stored count is already right. Returns the number of records written."""
    batches: Iterable = [None] if researcher_ids is None else chunked(sorted(set(researcher_ids)))
    written = 0
    with connection.cursor() as cursor:
        for batch in batches:
            counts, params = _counts_sql(batch)
            cursor.execute(
                f"""
                UPDATE profiles_researcher SET listed_works_count = counted.n
                FROM ({counts}) counted
                WHERE profiles_researcher.id = counted.id
                  AND profiles_researcher.listed_works_count <> counted.n
                """,  # noqa: S608 (constant SQL, values are parameters)
                params,
            )
            written += max(cursor.rowcount, 0)
    return written
