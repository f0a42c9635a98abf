"""Who works with whom: ``Collaboration`` rows computed from authorships.

Each pair of researchers who share visible works gets two rows, one per direction, with the
number of shared works (a preprint and its published version count once) and the first and
last year they shared one. A co-author is *close* at ``BZPEER_CLOSE_COLLABORATOR_MIN_SHARED_WORKS``
shared works or more.

``recompute_all`` rebuilds the table in one ``INSERT ... SELECT`` (a self-join of the visible
works on the canonical work, grouped by pair, written in both directions); ``recompute_for``
recomputes only the pairs involving some researchers and writes only what changed, so a second
run writes nothing.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import Q

from graph.models import Collaboration
from graph.visible_works import (
    MERGED_RECORDS,
    authorship_ids_for,
    chunked,
    placeholders,
    researcher_works_sql,
)

# The year a pair shared a work: the earlier of the two sides' years (they differ only when one
# is on the preprint and the other on the published version), ignoring unknown years.
_SHARED_YEAR = (
    "CASE WHEN a.yr IS NULL THEN b.yr WHEN b.yr IS NULL THEN a.yr "
    "WHEN a.yr < b.yr THEN a.yr ELSE b.yr END"
)


def close_threshold() -> int:
    return settings.BZPEER_CLOSE_COLLABORATOR_MIN_SHARED_WORKS


def recompute_all(rw: tuple[str, list] | None = None) -> int:
    """Rebuild every collaboration from scratch; returns the number of rows written.

    The pairs are aggregated once per unordered pair (a.rid < b.rid) and written in both
    directions. On PostgreSQL the table is truncated and its indexes rebuilt after the insert
    (far cheaper than maintaining them row by row); the table stays locked until the
    surrounding transaction commits, so readers wait for a full recompute rather than see half.
    """
    rw, params = rw or researcher_works_sql()
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # TRUNCATE refuses to run while deferred foreign-key checks are pending (rows
            # written earlier in the same transaction): run them now, then defer again.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE graph_collaboration")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                "ALTER TABLE graph_collaboration DROP CONSTRAINT graph_collaboration_pkey"
            )
        else:
            cursor.execute("DELETE FROM graph_collaboration")
        # Each unordered pair is aggregated once (a.rid < b.rid) and written in both
        # directions by the same statement, crossed with a two-row "which way" table.
        cursor.execute(
            f"""
            WITH rw AS ({rw})
            INSERT INTO graph_collaboration
                (researcher_id, coauthor_id, shared_works_count, first_year, last_year)
            SELECT CASE WHEN way.flip = 0 THEN p.low ELSE p.high END,
                   CASE WHEN way.flip = 0 THEN p.high ELSE p.low END,
                   p.shared, p.first_year, p.last_year
            FROM (
                SELECT a.rid AS low, b.rid AS high, COUNT(*) AS shared,
                       MIN({_SHARED_YEAR}) AS first_year, MAX({_SHARED_YEAR}) AS last_year
                FROM rw a JOIN rw b ON a.cw = b.cw AND a.rid < b.rid
                GROUP BY a.rid, b.rid
            ) p
            CROSS JOIN (SELECT 0 AS flip UNION ALL SELECT 1) way
            """,  # noqa: S608 (constant SQL, values are parameters)
            params,
        )
        written = cursor.rowcount
        if postgres:
            cursor.execute(
                "ALTER TABLE graph_collaboration ADD CONSTRAINT graph_collaboration_pkey "
                "PRIMARY KEY (researcher_id, coauthor_id)"
            )
    return written


def _changed_pairs(researcher_ids: list[int]) -> dict[tuple[int, int], tuple | None]:
    """{(researcher, coauthor): (shared, first, last), or None for a row to delete} for the
    given canonical researchers: only the rows whose stored values differ from the computed
    ones, compared in the database so an unchanged researcher's thousands of rows stay there."""
    sql, params = _changed_pairs_sql(researcher_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (row[0], row[1]): None if row[2] is None else tuple(row[2:])
            for row in cursor.fetchall()
        }


def _changed_pairs_sql(researcher_ids: list[int]) -> tuple[str, list]:
    mine, params = researcher_works_sql(authorship_ids_for(researcher_ids))
    marks, id_params = placeholders(researcher_ids)
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    sql = f"""
        WITH a AS ({mine}),
        -- Every visible version of their papers, found through two indexes (works.id and
        -- works.version_of_id) rather than one OR the planner would answer with a scan.
        paper_versions AS (
            SELECT w.id, COALESCE(w.version_of_id, w.id) AS cw, w.publication_year AS yr
            FROM works_work w WHERE w.is_hidden = %s AND w.id IN (SELECT cw FROM a)
            UNION
            SELECT w.id, COALESCE(w.version_of_id, w.id), w.publication_year
            FROM works_work w WHERE w.is_hidden = %s AND w.version_of_id IN (SELECT cw FROM a)
        ),
        b AS (
            SELECT COALESCE(m.merged_into_id, au.researcher_id) AS rid, v.cw, MIN(v.yr) AS yr
            FROM paper_versions v
            JOIN works_authorship au ON au.work_id = v.id
            LEFT JOIN ({MERGED_RECORDS}) m ON m.id = au.researcher_id
            WHERE au.researcher_id IS NOT NULL
            GROUP BY COALESCE(m.merged_into_id, au.researcher_id), v.cw
        ),
        -- Typed ids (a no-op on PostgreSQL): SQLite indexes a typed column for the lookups
        -- below, where it would scan every computed pair once per stored one.
        computed AS (
            SELECT CAST(a.rid AS BIGINT) AS researcher_id, CAST(b.rid AS BIGINT) AS coauthor_id,
                   COUNT(*) AS shared,
                   MIN({_SHARED_YEAR}) AS first_year, MAX({_SHARED_YEAR}) AS last_year
            FROM a JOIN b ON a.cw = b.cw AND a.rid <> b.rid
            GROUP BY a.rid, b.rid
        ),
        stored AS (
            SELECT researcher_id, coauthor_id, shared_works_count, first_year, last_year
            FROM graph_collaboration WHERE researcher_id IN ({marks})
        )
        SELECT c.researcher_id, c.coauthor_id, c.shared, c.first_year, c.last_year
        FROM computed c
        LEFT JOIN stored s
            ON s.researcher_id = c.researcher_id AND s.coauthor_id = c.coauthor_id
        WHERE s.researcher_id IS NULL OR s.shared_works_count <> c.shared
              OR s.first_year {differs} c.first_year OR s.last_year {differs} c.last_year
        UNION ALL
        SELECT s.researcher_id, s.coauthor_id, NULL, NULL, NULL
        FROM stored s
        WHERE NOT EXISTS (
            SELECT 1 FROM computed c
            WHERE c.researcher_id = s.researcher_id AND c.coauthor_id = s.coauthor_id
        )
    """  # noqa: S608 (constant SQL, values are parameters)
    return sql, [*params, False, False, *id_params]


def recompute_for(researcher_ids: Iterable[int]) -> set[int]:
    """Recompute every collaboration involving these (canonical) researchers, in both
    directions, writing only the rows that changed.

    Returns the ids of the *other* researchers whose rows changed: their counters (close
    collaborators, trust) need recomputing too.
    """
    ids = sorted(set(researcher_ids))
    if not ids:
        return set()
    ours = set(ids)
    changed_pairs: dict[tuple[int, int], tuple | None] = {}
    for chunk in chunked(ids, 500):
        changed_pairs.update(_changed_pairs(chunk))

    # Rows are symmetric: each change is written to the pair's two rows.
    to_write: dict[tuple[int, int], tuple] = {}
    to_delete: set[tuple[int, int]] = set()
    for pair, stats in changed_pairs.items():
        if stats is None:
            to_delete.add(pair)
            to_delete.add((pair[1], pair[0]))
        else:
            to_write[pair] = stats
            to_write[(pair[1], pair[0])] = stats

    for chunk in chunked(sorted(to_delete), 300):
        condition = Q()
        for researcher_id, coauthor_id in chunk:
            condition |= Q(researcher_id=researcher_id, coauthor_id=coauthor_id)
        Collaboration.objects.filter(condition).delete()
    if to_write:
        Collaboration.objects.bulk_create(
            [
                Collaboration(
                    researcher_id=researcher_id,
                    coauthor_id=coauthor_id,
                    shared_works_count=shared,
                    first_year=first,
                    last_year=last,
                )
                for (researcher_id, coauthor_id), (shared, first, last) in to_write.items()
            ],
            update_conflicts=True,
            unique_fields=["researcher", "coauthor"],
            update_fields=["shared_works_count", "first_year", "last_year"],
            batch_size=1000,
        )
    changed = {pair[0] for pair in to_write} | {pair[0] for pair in to_delete}
    return changed - ours
