"""A researcher's topics, ranked by how many of their visible works carry them.

The topics of a canonical work are those of all its visible versions (a preprint and its
published version may carry different OpenAlex topics; the pair is still one work). Ties are
ranked by topic id so a recomputation gives the same ranks.
"""

from collections.abc import Iterable

from django.db import connection

from graph.visible_works import authorship_ids_for, chunked, placeholders, researcher_works_sql


def _insert_sql(rw: str, restrict: bool) -> str:
    # For a few researchers, read only the topics of their papers' versions, found through
    # the works.id and works.version_of_id indexes (a UNION, not an OR the planner would scan
    # for); for everyone, read them all.
    only_theirs = (
        """AND wt.work_id IN (
                SELECT id FROM works_work WHERE id IN (SELECT cw FROM rw)
                UNION
                SELECT id FROM works_work WHERE version_of_id IN (SELECT cw FROM rw)
            )"""
        if restrict
        else ""
    )
    return f"""
        WITH rw AS ({rw}),
        work_topics AS (
            SELECT DISTINCT COALESCE(w.version_of_id, w.id) AS cw, wt.topic_id
            FROM works_worktopic wt JOIN works_work w ON w.id = wt.work_id
            WHERE w.is_hidden = %s {only_theirs}
        ),
        counts AS (
            -- Ordered by researcher: PostgreSQL then groups by sorting rather than hashing
            -- millions of groups, and the ranking below only sorts within each researcher.
            SELECT rw.rid, work_topics.topic_id, COUNT(*) AS n
            FROM rw JOIN work_topics ON work_topics.cw = rw.cw
            GROUP BY rw.rid, work_topics.topic_id
            ORDER BY rw.rid, work_topics.topic_id
        )
        INSERT INTO graph_researchertopic (researcher_id, topic_id, works_count, rank)
        SELECT rid, topic_id, n, ROW_NUMBER() OVER (PARTITION BY rid ORDER BY n DESC, topic_id)
        FROM counts
    """  # noqa: S608 (constant SQL, values are parameters)


def recompute_all(rw: tuple[str, list] | None = None) -> int:
    """Rebuild every researcher's ranked topics; returns the number of rows written."""
    rw, params = rw or researcher_works_sql()
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # See collaborators.recompute_all: flush deferred checks, truncate, and rebuild the
            # unique index after the insert rather than row by row.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE graph_researchertopic")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                "ALTER TABLE graph_researchertopic DROP CONSTRAINT graph_researchertopic_pkey"
            )
        else:
            cursor.execute("DELETE FROM graph_researchertopic")
        cursor.execute(_insert_sql(rw, restrict=False), [*params, False])
        # SQLite reports -1 as the rowcount of an INSERT ... SELECT: count what is there.
        cursor.execute("SELECT COUNT(*) FROM graph_researchertopic")
        (written,) = cursor.fetchone()
        if postgres:
            cursor.execute(
                "ALTER TABLE graph_researchertopic ADD CONSTRAINT graph_researchertopic_pkey "
                "PRIMARY KEY (researcher_id, topic_id)"
            )
    return written


def recompute_for(researcher_ids: Iterable[int]) -> None:
    """Replace the ranked topics of these (canonical) researchers."""
    ids = sorted(set(researcher_ids))
    for chunk in chunked(ids, 500):
        marks, params = placeholders(chunk)
        rw, rw_params = researcher_works_sql(authorship_ids_for(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM graph_researchertopic WHERE researcher_id IN ({marks})",  # noqa: S608
                params,
            )
            cursor.execute(_insert_sql(rw, restrict=True), [*rw_params, False])
