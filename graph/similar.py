"""Researchers similar to one researcher, and their co-authors with where each works now.

The similarity score is deliberately small enough to explain in one line:

    score = shared topics + shared co-authors

*shared topics* are topics both have among their ranked topics (``ResearcherTopic``), *shared
co-authors* are people both have written with (``Collaboration``). Existing co-authors are
kept in the list and marked as such: on a departmental record set nearly everyone with shared
topics is already a co-author, and leaving them out would leave the list empty. Ties go to the
one with more shared topics, then to the lower id, so the order is stable.

Both lists read stored derived rows only, in one query each whatever the size of the record
set; merged records never appear (the derived rows are keyed by canonical records, and the
queries check it).
"""

from dataclasses import dataclass

from django.db import connection

from graph.models import Collaboration
from works.models import Researcher

SIMILAR_LIMIT = 8
COAUTHORS_LIMIT = 12

# Topics: rows of others that carry one of my topics. Co-authors: the collaborations of my
# co-authors (read by researcher_id, the primary key's first column) name the people who
# share each of them with me. Both are grouped per person and added up.
# On PostgreSQL each shared topic counts only for the PER_TOPIC researchers with the most works
# in it (read from the topic's index), so a topic held by thousands costs no more than a rare
# one; SQLite (development, tests) reads every holder.
PER_TOPIC = 200
_TOPIC_OVERLAP = {
    "postgresql": """
        SELECT rt.researcher_id AS rid, 1 AS topic, 0 AS coauthor
        FROM mine
        CROSS JOIN LATERAL (
            SELECT researcher_id FROM graph_researchertopic
            WHERE topic_id = mine.topic_id AND researcher_id <> %(me)s
            ORDER BY works_count DESC, researcher_id
            LIMIT %(per_topic)s
        ) AS rt""",
    "other": """
        SELECT rt.researcher_id AS rid, 1 AS topic, 0 AS coauthor
        FROM graph_researchertopic rt
        WHERE rt.topic_id IN (SELECT topic_id FROM mine) AND rt.researcher_id <> %(me)s""",
}
_SIMILAR = """
    WITH mine AS (
        SELECT topic_id FROM graph_researchertopic WHERE researcher_id = %(me)s
    ),
    my_coauthors AS (
        SELECT coauthor_id FROM graph_collaboration WHERE researcher_id = %(me)s
    ),
    overlap AS (
        {topic_overlap}
        UNION ALL
        SELECT c.coauthor_id AS rid, 0 AS topic, 1 AS coauthor
        FROM graph_collaboration c
        WHERE c.researcher_id IN (SELECT coauthor_id FROM my_coauthors)
          AND c.coauthor_id <> %(me)s
    )
    SELECT r.id, r.display_name, r.last_known_institution_id, i.display_name,
           scored.shared_topics, scored.shared_coauthors,
           CASE WHEN r.id IN (SELECT coauthor_id FROM my_coauthors) THEN 1 ELSE 0 END
    FROM (
        SELECT rid, SUM(topic) AS shared_topics, SUM(coauthor) AS shared_coauthors
        FROM overlap
        GROUP BY rid
    ) AS scored
    JOIN profiles_researcher r ON r.id = scored.rid AND r.merged_into_id IS NULL
    LEFT JOIN profiles_institution i ON i.id = r.last_known_institution_id
    ORDER BY scored.shared_topics + scored.shared_coauthors DESC, scored.shared_topics DESC, r.id
    LIMIT %(limit)s
"""


@dataclass
class Similar:
    researcher: Researcher
    institution_name: str
    shared_topics: int
    shared_coauthors: int
    is_coauthor: bool

    @property
    def score(self) -> int:
        return self.shared_topics + self.shared_coauthors


def similar_to(researcher_id: int, limit: int = SIMILAR_LIMIT) -> list[Similar]:
    """The most similar researchers first, never the researcher themselves (one query)."""
    with connection.cursor() as cursor:
        overlap = _TOPIC_OVERLAP.get(connection.vendor, _TOPIC_OVERLAP["other"])
        cursor.execute(
            _SIMILAR.replace("{topic_overlap}", overlap),
            {"me": researcher_id, "limit": limit, "per_topic": PER_TOPIC},
        )
        rows = cursor.fetchall()
    return [
        Similar(
            researcher=Researcher(
                pk=pk, display_name=name, last_known_institution_id=institution_id
            ),
            institution_name=institution_name or "",
            shared_topics=int(topics),
            shared_coauthors=int(coauthors),
            is_coauthor=bool(is_coauthor),
        )
        for pk, name, institution_id, institution_name, topics, coauthors, is_coauthor in rows
    ]


def coauthors_of(researcher_id: int, limit: int = COAUTHORS_LIMIT) -> list[Collaboration]:
    """The co-authors with the most shared works, each with their last known institution
    (one query)."""
    return list(
        Collaboration.objects.filter(
            researcher_id=researcher_id, coauthor__merged_into__isnull=True
        )
        .select_related("coauthor__last_known_institution")
        .order_by("-shared_works_count", "-last_year", "coauthor__display_name", "coauthor_id")[
            :limit
        ]
    )
