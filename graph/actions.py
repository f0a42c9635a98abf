"""The graph's entry points: what imports, curation and claims call after they change data.

``refresh_researchers`` is incremental (a few records and the co-authors they touch);
``recompute_all`` rebuilds everything (``manage.py recompute_graph``). Both are atomic, and a
second run with nothing changed writes no collaboration rows and adds no trust history.
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q

from bzpeer.locking import lock_in_id_order
from graph import collaborators, listed_works, topics, trust, visible_works
from graph.models import Collaboration
from graph.visible_works import chunked
from profiles.models import ResearcherTopic
from works.models import Researcher


@transaction.atomic
def refresh_researchers(researcher_ids: Iterable[int]) -> set[int]:
    """Recompute what the graph derives for these researchers after their works changed.

    Their collaborations (both directions, so their co-authors' rows that involve them too),
    ranked topics, verification levels and trust scores; and the counters and scores of every
    co-author whose collaboration with them changed, and the listed works counts of all of
    these. A record merged into another is recomputed as that other record. Returns the ids of
    the records that were rescored.
    """
    requested = set(researcher_ids)
    if not requested:
        return set()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The planner overestimates these small, indexed queries: compiling them with JIT
            # would take longer than running them, and with the default random_page_cost it
            # scans whole tables rather than follow an index a thousand times.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL random_page_cost = 1.1")
    # Two refreshes of the same records run one after the other.
    locked = lock_in_id_order(Researcher.objects.only("merged_into_id"), requested, missing_ok=True)
    rows = [(pk, researcher.merged_into_id) for pk, researcher in locked.items()]
    canonical = {merged_into or pk for pk, merged_into in rows}
    merged = {pk for pk, merged_into in rows if merged_into}

    affected: set[int] = set()
    if merged:
        # A merged record's works now count for the record it was merged into.
        # Rows are symmetric: the partners of the merged records are the coauthors of their
        # rows, and their mirror rows go too.
        stale = list(
            Collaboration.objects.filter(researcher__in=merged).values_list(
                "researcher_id", "coauthor_id"
            )
        )
        affected |= {coauthor for _, coauthor in stale} - merged
        Collaboration.objects.filter(researcher__in=merged).delete()
        for chunk in chunked(stale, 300):
            condition = Q()
            for researcher_id, coauthor_id in chunk:
                condition |= Q(researcher_id=coauthor_id, coauthor_id=researcher_id)
            Collaboration.objects.filter(condition).delete()
        ResearcherTopic.objects.filter(researcher__in=merged).delete()
        Researcher.objects.filter(pk__in=merged).update(close_collaborators_count=0, topics_count=0)

    affected |= collaborators.recompute_for(canonical)
    topics.recompute_for(canonical)
    affected |= _collaborators_of_new_claims(canonical)
    rescored = canonical | affected
    trust.recompute(rescored)
    # Listed works are counted per record, the merged ones included (theirs moved away).
    listed_works.recompute(requested | rescored)
    return rescored


@transaction.atomic
def rescore_researchers(researcher_ids: Iterable[int]) -> int:
    """Recompute only the trust scores and levels of these records, for a change that moves no
    collaboration or topic (a follow, an unfollow). A second call changes nothing."""
    return trust.recompute(researcher_ids)


def _collaborators_of_new_claims(researcher_ids: set[int]) -> set[int]:
    """Close collaborators of records claimed or unclaimed since they were last scored: their
    community points count claimed close collaborators."""
    toggled = [
        pk
        for pk, owner_id, breakdown in Researcher.objects.filter(pk__in=researcher_ids)
        .values_list("pk", "owner_id", "trust_breakdown")
        .iterator()
        # A record never scored counts as unclaimed until now.
        if (breakdown or {}).get("evidence", {}).get("claimed", False) != (owner_id is not None)
    ]
    if not toggled:
        return set()
    # Their close collaborators are the coauthors on their own (symmetric) rows.
    return set(
        Collaboration.objects.filter(
            researcher__in=toggled, shared_works_count__gte=collaborators.close_threshold()
        ).values_list("coauthor_id", flat=True)
    ) - set(researcher_ids)


@transaction.atomic
def recompute_all() -> dict[str, int]:
    """Rebuild collaborations, topics, levels, trust and listed works counts for every record,
    in bulk SQL."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The pair aggregation is one big GROUP BY: let it hash in memory, not on disk.
            # JIT compilation costs more than it saves on these few, simple, large queries.
            cursor.execute("SET LOCAL work_mem = '512MB'")
            cursor.execute("SET LOCAL jit = off")
    rw = visible_works.materialise()
    collaborations = collaborators.recompute_all(rw)
    ranked_topics = topics.recompute_all(rw)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh statistics, or the planner takes the just-filled tables for empty ones.
            cursor.execute("ANALYZE graph_collaboration, graph_researchertopic")
    scored = trust.recompute(None, bulk=True, rw=rw)
    visible_works.drop_materialised()
    listed_works.recompute(None)
    return {"collaborations": collaborations, "topics": ranked_topics, "researchers": scored}
