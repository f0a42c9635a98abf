"""Who works with whom: ``Collaboration`` rows computed from authorships.

Each pair of researchers who share visible works gets two rows, one per direction, with the
number of shared works (a preprint and its published version count once) and the first and
last year they shared one. A co-author is *close* at ``BZPEER_CLOSE_COLLABORATOR_MIN_SHARED_WORKS``
shared works or more.

``recompute_all`` rebuilds the table in one ``INSERT ... SELECT`` (a self-join of authorships on
the canonical work, grouped by pair); ``recompute_for`` recomputes only the pairs involving some
researchers and writes only what changed, so a second run writes nothing.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import Q

from graph.models import Collaboration
from graph.visible_works import authorship_ids_for, chunked, placeholders, researcher_works_sql

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
        cursor.execute("DROP TABLE IF EXISTS graph_pairs")
        cursor.execute(
            f"""
            CREATE TEMP TABLE graph_pairs AS
            WITH rw AS ({rw})
            SELECT a.rid AS low, b.rid AS high, COUNT(*) AS shared,
                   MIN({_SHARED_YEAR}) AS first_year, MAX({_SHARED_YEAR}) AS last_year
            FROM rw a JOIN rw b ON a.cw = b.cw AND a.rid < b.rid
            GROUP BY a.rid, b.rid
            """,  # noqa: S608 (constant SQL, values are parameters)
            params,
        )
        cursor.execute(
            """
            INSERT INTO graph_collaboration
                (researcher_id, coauthor_id, shared_works_count, first_year, last_year)
            SELECT low, high, shared, first_year, last_year FROM graph_pairs
            UNION ALL
            SELECT high, low, shared, first_year, last_year FROM graph_pairs
            """
        )
        written = cursor.rowcount
        cursor.execute("DROP TABLE graph_pairs")
        if postgres:
            cursor.execute(
                "ALTER TABLE graph_collaboration ADD CONSTRAINT graph_collaboration_pkey "
                "PRIMARY KEY (researcher_id, coauthor_id)"
            )
    return written


def _computed_pairs(researcher_ids: list[int]) -> dict[tuple[int, int], tuple]:
    """{(researcher, coauthor): (shared, first, last)} for the given canonical researchers."""
    mine, params = researcher_works_sql(authorship_ids_for(researcher_ids))
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
            SELECT COALESCE(r.merged_into_id, r.id) AS rid, v.cw, MIN(v.yr) AS yr
            FROM paper_versions v
            JOIN works_authorship au ON au.work_id = v.id
            JOIN profiles_researcher r ON r.id = au.researcher_id
            GROUP BY COALESCE(r.merged_into_id, r.id), v.cw
        )
        SELECT a.rid, b.rid, COUNT(*), MIN({_SHARED_YEAR}), MAX({_SHARED_YEAR})
        FROM a JOIN b ON a.cw = b.cw AND a.rid <> b.rid
        GROUP BY a.rid, b.rid
    """  # noqa: S608 (constant SQL, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, False, False])
        return {(row[0], row[1]): tuple(row[2:]) for row in cursor.fetchall()}


def _stored_pairs(researcher_ids: list[int]) -> dict[tuple[int, int], tuple]:
    marks, params = placeholders(researcher_ids)
    with connection.cursor() as cursor:
        columns = "researcher_id, coauthor_id, shared_works_count, first_year, last_year"
        cursor.execute(
            f"SELECT {columns} FROM graph_collaboration WHERE researcher_id IN ({marks})",  # noqa: S608
            params,
        )
        return {(row[0], row[1]): tuple(row[2:]) for row in cursor.fetchall()}


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
    new: dict[tuple[int, int], tuple] = {}
    old: dict[tuple[int, int], tuple] = {}
    for chunk in chunked(ids, 500):
        new.update(_computed_pairs(chunk))
        old.update(_stored_pairs(chunk))

    to_write: dict[tuple[int, int], tuple] = {}
    to_delete: set[tuple[int, int]] = set()
    for pair, stats in new.items():
        if old.get(pair) != stats:
            to_write[pair] = stats
            to_write[(pair[1], pair[0])] = stats
    for pair in old.keys() - new.keys():
        to_delete.add(pair)
        to_delete.add((pair[1], pair[0]))

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
