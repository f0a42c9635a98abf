"""Verification levels and the trust score: an explainable sum of points (see docs/trust.md).

The score is 0-100, the sum of four components, each the sum of a few capped items:

* identity evidence (at most 35): an authority record (OpenAlex id, or curated by staff) 5,
  an ORCID 5, claimed by a user 10, the claim verified by staff 15;
* scholarly record (at most 25): 1 point per 5 visible works (at most 20), 1 point per 3 topics
  (at most 5);
* collaboration network (at most 25): 1 point per close collaborator (at most 20), 1 point per
  20 distinct co-authors (at most 5);
* community (at most 15): followers (at most 10, in steps), 1 point per close collaborator
  whose own record is claimed (at most 5).

Every item only ever adds points, so more identity evidence never lowers a score, and
followers can move it by 10 points at most. Identifiers alone (an OpenAlex id and an ORCID, 10)
stay below an active record with a few works, topics and close collaborators: an identifier says
who a record is, not that anyone works with them. ``score`` and ``level_for`` are pure functions of
``Evidence``; ``recompute`` reads the evidence with one query and writes the results.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypedDict

import orjson
from django.db import connection
from django.utils import timezone

from graph.collaborators import close_threshold
from graph.visible_works import authorship_ids_for, chunked, placeholders, researcher_works_sql
from works.models import Researcher, trust_band_for

# (minimum followers, points): followers alone add at most 10 points.
FOLLOWER_STEPS = [(100, 10), (30, 8), (10, 6), (3, 4), (1, 2), (0, 0)]


@dataclass(frozen=True)
class Evidence:
    """What the score is computed from, for one researcher record."""

    openalex_id: bool = False
    curated: bool = False
    orcid: bool = False
    claimed: bool = False
    staff_verified: bool = False
    works: int = 0
    topics: int = 0
    close_collaborators: int = 0
    coauthors: int = 0
    followers: int = 0
    claimed_close_collaborators: int = 0


def level_for(evidence: Evidence) -> int:
    """L4 claimed and staff-verified; L3 claimed; L2 ORCID; L1 OpenAlex id or curated; L0."""
    if evidence.claimed and evidence.staff_verified:
        return Researcher.Level.VERIFIED
    if evidence.claimed:
        return Researcher.Level.CLAIMED
    if evidence.orcid:
        return Researcher.Level.ORCID
    if evidence.openalex_id or evidence.curated:
        return Researcher.Level.INDEXED
    return Researcher.Level.NAME_ONLY


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# (component key, component label, [(item label, item maximum), ...])
COMPONENTS = [
    (
        "identity",
        "Identity evidence",
        [("Authority record", 5), ("ORCID", 5), ("Claimed", 10), ("Staff verification", 15)],
    ),
    ("record", "Scholarly record", [("Works", 20), ("Topics", 5)]),
    ("network", "Collaboration network", [("Close collaborators", 20), ("Co-authors", 5)]),
    ("community", "Community", [("Followers", 10), ("Claimed collaborators", 5)]),
]


def item_points(e: Evidence) -> list[list[int]]:
    """The points of every item, component by component, in the order of COMPONENTS."""
    claimed = e.claimed
    return [
        [
            5 if e.openalex_id or e.curated else 0,
            5 if e.orcid else 0,
            10 if claimed else 0,
            15 if claimed and e.staff_verified else 0,
        ],
        [min(20, e.works // 5), min(5, e.topics // 3)],
        [min(20, e.close_collaborators), min(5, e.coauthors // 20)],
        [
            next(points for floor, points in FOLLOWER_STEPS if e.followers >= floor),
            min(5, e.claimed_close_collaborators),
        ],
    ]


def _item_explanations(e: Evidence) -> list[list[str]]:
    if e.openalex_id:
        indexed = "Has an OpenAlex author record."
    elif e.curated:
        indexed = "Curated by bzpeer staff."
    else:
        indexed = "No authority record: known by name only."
    return [
        [
            indexed,
            "The source data carries an ORCID." if e.orcid else "No ORCID in the source data.",
            "Claimed by its researcher." if e.claimed else "Not claimed by its researcher.",
            "A staff reviewer checked the claim's evidence."
            if e.claimed and e.staff_verified
            else "No staff-verified claim.",
        ],
        [
            f"{_plural(e.works, 'visible work')}: 1 point per 5 works.",
            f"{_plural(e.topics, 'topic')}: 1 point per 3 topics.",
        ],
        [
            f"{_plural(e.close_collaborators, 'close collaborator')} "
            f"(at least {close_threshold()} shared works each): 1 point each.",
            f"{_plural(e.coauthors, 'distinct co-author')}: 1 point per 20.",
        ],
        [
            f"{_plural(e.followers, 'follower')} (1, 3, 10, 30 and 100 followers "
            "give 2, 4, 6, 8 and 10 points).",
            f"{_plural(e.claimed_close_collaborators, 'close collaborator')} with a claimed "
            "record: 1 point each.",
        ],
    ]


def explain(e: Evidence) -> list[dict]:
    """Every component with its items: label, points, maximum and why (for the page)."""
    explanations = _item_explanations(e)
    return [
        {
            "key": key,
            "label": label,
            "points": sum(points),
            "max": sum(maximum for _, maximum in items),
            "items": [
                {"label": item, "points": p, "max": maximum, "explanation": why}
                for (item, maximum), p, why in zip(items, points, reasons, strict=True)
            ],
        }
        for (key, label, items), points, reasons in zip(
            COMPONENTS, item_points(e), explanations, strict=True
        )
    ]


# Each component's key, label, maximum and short explanation's format, worked out once: a full
# recompute scores 100,000s of records.
_COMPONENT_SHAPES = [
    (key, label, sum(m for _, m in items), ", ".join(f"{item} {{}}/{m}" for item, m in items))
    for key, label, items in COMPONENTS
]


class ScoredComponent(TypedDict):
    """One component of a stored breakdown."""

    key: str
    label: str
    points: int
    max: int
    explanation: str


def score(evidence: Evidence) -> tuple[int, dict]:
    """The 0-100 score and its stored breakdown: each component's points, maximum and a short
    explanation ("Works 9/20, topics 3/5"), the level, and the evidence it was computed from
    (``explain(Evidence(**breakdown["evidence"]))`` gives the long explanations). The one
    place the breakdown is built; ``_scored`` serialises it for the bulk write."""
    components: list[ScoredComponent] = [
        {
            "key": key,
            "label": label,
            "points": sum(points),
            "max": maximum,
            "explanation": explanation.format(*points),
        }
        for (key, label, maximum, explanation), points in zip(
            _COMPONENT_SHAPES, item_points(evidence), strict=True
        )
    ]
    total = min(100, sum(component["points"] for component in components))
    level = level_for(evidence)
    breakdown = {
        "score": total,
        "band": trust_band_for(total),
        "level": int(level),
        "level_label": Researcher.Level(level).label,
        "components": components,
        "evidence": dict(vars(evidence)),
    }
    return total, breakdown


@lru_cache(maxsize=100_000)
def _scored(evidence: Evidence) -> tuple[int, int, str]:
    """(score, level, breakdown as JSON text): ``score``'s breakdown serialised for the bulk
    write and the history rows. Many records share the same evidence, hence the cache."""
    total, breakdown = score(evidence)
    return total, breakdown["level"], orjson.dumps(breakdown).decode()


# --- Reading evidence and writing scores ------------------------------------------------------


def _evidence_sql(researcher_ids: list[int] | None, rw_all: tuple | None) -> tuple[str, list]:
    threshold = close_threshold()
    if researcher_ids is None:
        rw, rw_params = rw_all or researcher_works_sql()
        where = ""
        id_params: list = []
    else:
        rw, rw_params = researcher_works_sql(authorship_ids_for(researcher_ids))
        marks, id_params = placeholders(researcher_ids)
        where = f"AND {{column}} IN ({marks})"
    sql = f"""
        WITH rw AS ({rw}),
        -- The cast gives the count's key a type on SQLite, which can then index it for the
        -- join below instead of scanning it once per record (bigint already on PostgreSQL).
        work_counts AS (SELECT CAST(rid AS BIGINT) AS rid, COUNT(*) AS n FROM rw GROUP BY rid),
        topic_counts AS (
            SELECT researcher_id, COUNT(*) AS n FROM graph_researchertopic
            WHERE 1 = 1 {where.format(column="researcher_id")}
            GROUP BY researcher_id
        ),
        collaboration_counts AS (
            SELECT c.researcher_id,
                   COUNT(*) AS coauthors,
                   SUM(CASE WHEN c.shared_works_count >= %s THEN 1 ELSE 0 END) AS close
            FROM graph_collaboration c
            WHERE 1 = 1 {where.format(column="c.researcher_id")}
            GROUP BY c.researcher_id
        ),
        claimed_close_counts AS (
            -- From the (few) claimed records to their close collaborators, through the
            -- primary key: the mirror rows say who has them as a close collaborator. CROSS
            -- JOIN keeps that order on SQLite, which has no statistics to choose it and would
            -- scan every collaboration instead; PostgreSQL plans it as the inner join it is.
            SELECT c.coauthor_id AS researcher_id, COUNT(*) AS n
            FROM profiles_researcher co
            CROSS JOIN graph_collaboration c
            WHERE c.researcher_id = co.id
                  AND co.owner_id IS NOT NULL AND c.shared_works_count >= %s
                  {where.format(column="c.coauthor_id")}
            GROUP BY c.coauthor_id
        )
        SELECT r.id,
               CASE WHEN COALESCE(r.openalex_id, '') <> '' THEN 1 ELSE 0 END,
               CASE WHEN r.origin = %s THEN 1 ELSE 0 END,
               CASE WHEN COALESCE(r.orcid, '') <> '' THEN 1 ELSE 0 END,
               CASE WHEN r.owner_id IS NOT NULL THEN 1 ELSE 0 END,
               r.staff_verified,
               COALESCE(work_counts.n, 0),
               COALESCE(topic_counts.n, 0),
               COALESCE(collaboration_counts.close, 0),
               COALESCE(collaboration_counts.coauthors, 0),
               r.followers_count,
               COALESCE(claimed_close_counts.n, 0),
               r.trust_score,
               r.verification_level
        FROM profiles_researcher r
        LEFT JOIN work_counts ON work_counts.rid = r.id
        LEFT JOIN topic_counts ON topic_counts.researcher_id = r.id
        LEFT JOIN collaboration_counts ON collaboration_counts.researcher_id = r.id
        LEFT JOIN claimed_close_counts ON claimed_close_counts.researcher_id = r.id
        WHERE r.merged_into_id IS NULL {where.format(column="r.id")}
    """  # noqa: S608 (constant SQL, values are parameters)
    params = [
        *rw_params,
        *id_params,
        threshold,
        *id_params,
        threshold,
        *id_params,
        Researcher.Origin.CURATED,
        *id_params,
    ]
    return sql, params


def _read_evidence(researcher_ids: list[int] | None, rw_all: tuple | None = None):
    sql, params = _evidence_sql(researcher_ids, rw_all)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            evidence = Evidence(
                openalex_id=bool(row[1]),
                curated=bool(row[2]),
                orcid=bool(row[3]),
                claimed=bool(row[4]),
                staff_verified=bool(row[5]),
                works=int(row[6]),
                topics=int(row[7]),
                close_collaborators=int(row[8]),
                coauthors=int(row[9]),
                followers=int(row[10]),
                claimed_close_collaborators=int(row[11]),
            )
            yield row[0], evidence, row[12], row[13]


def _copy_rows(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Insert many rows: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608


def _write(results: list[tuple], now, db_now, bulk: bool) -> None:
    """Write (id, level, score, breakdown json text, close count, topics count) rows, skipping
    records whose stored values are already these."""
    if not results:
        return
    with connection.cursor() as cursor:
        if bulk:
            jsonb = "::jsonb" if connection.vendor == "postgresql" else ""
            cursor.execute("DROP TABLE IF EXISTS graph_trust_update")
            cursor.execute(
                "CREATE TEMP TABLE graph_trust_update (id bigint PRIMARY KEY, "
                "level smallint, score smallint, breakdown text, close integer, topics integer)"
            )
            _copy_rows(
                cursor,
                "graph_trust_update",
                ["id", "level", "score", "breakdown", "close", "topics"],
                results,
            )
            cursor.execute(
                f"""
                UPDATE profiles_researcher SET
                    verification_level = u.level,
                    trust_score = u.score,
                    trust_breakdown = u.breakdown{jsonb},
                    close_collaborators_count = u.close,
                    topics_count = u.topics,
                    trust_computed_at = %s
                FROM graph_trust_update u
                WHERE profiles_researcher.id = u.id AND (
                    profiles_researcher.trust_score IS NULL
                    OR profiles_researcher.trust_score <> u.score
                    OR profiles_researcher.verification_level <> u.level
                    OR profiles_researcher.close_collaborators_count <> u.close
                    OR profiles_researcher.topics_count <> u.topics
                    OR profiles_researcher.trust_breakdown <> u.breakdown{jsonb}
                )
                """,  # noqa: S608 (constant SQL, values are parameters)
                [db_now],
            )
            cursor.execute("DROP TABLE graph_trust_update")
        else:
            for researcher_id, level, total, breakdown, close, topics in results:
                fields = {
                    "verification_level": level,
                    "trust_score": total,
                    "trust_breakdown": orjson.loads(breakdown),
                    "close_collaborators_count": close,
                    "topics_count": topics,
                }
                # Only a record whose score, level, counters or explanation changed is written:
                # trust_computed_at is when its current score was computed.
                Researcher.objects.filter(pk=researcher_id).exclude(**fields).update(
                    **fields, trust_computed_at=now
                )


def recompute(
    researcher_ids: Iterable[int] | None = None,
    *,
    bulk: bool = False,
    rw: tuple[str, list] | None = None,
) -> int:
    """Recompute levels, scores and counters (close collaborators, topics) and keep history.

    ``researcher_ids=None`` means every canonical record. Collaborations and topics must be
    up to date first (``graph.actions`` orders it). A history row (``TrustScore``) is added
    only when the score or the level changed. Returns the number of records scored.
    """
    now = timezone.now()
    db_now = connection.ops.adapt_datetimefield_value(now)
    if researcher_ids is None:
        batches: Iterable = [None]
    else:
        batches = chunked(sorted(set(researcher_ids)), 2000)
    scored = 0
    for batch in batches:
        results, history = [], []
        for researcher_id, evidence, old_score, old_level in _read_evidence(batch, rw):
            total, level, text = _scored(evidence)
            results.append(
                (researcher_id, level, total, text, evidence.close_collaborators, evidence.topics)
            )
            if (old_score, old_level) != (total, level) or old_score is None:
                history.append((researcher_id, total, level, text, db_now))
        _write(results, now, db_now, bulk=bulk)
        with connection.cursor() as cursor:
            _copy_rows(
                cursor,
                "graph_trustscore",
                ["researcher_id", "score", "level", "breakdown", "computed_at"],
                history,
            )
        scored += len(results)
    return scored
