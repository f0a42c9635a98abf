"""A topic's page: its place in the OpenAlex hierarchy and the researchers who work on it.

The hierarchy has four levels, domain > field > subfield > topic; works carry topics (the last
level), so a domain, field or subfield covers the works that carry any topic beneath it.

A researcher's works in a topic are counted as their ranked topics are (``graph.topics``):
visible works only, a preprint and its published version once, a merged record as the record
it was merged into. For a topic of the last level the count therefore equals the researcher's
``ResearcherTopic.works_count``. The ranking is one SQL query with a limit, whatever the size
of the topic.

Queries: the topic with its ancestors, its children, the ranking, the ranked researchers.
"""

from dataclasses import dataclass

from django.db import connection
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from bzpeer.identifiers import openalex_url
from bzpeer.page_cache import cached_public_page
from works.models import Researcher, Topic

PEOPLE_LIMIT = 50
CHILDREN_LIMIT = 200

LEVEL_LABELS = {
    Topic.Level.DOMAIN: "Domain",
    Topic.Level.FIELD: "Field",
    Topic.Level.SUBFIELD: "Subfield",
    Topic.Level.TOPIC: "Topic",
}

# The topic and everything beneath it (at most three levels down).
_SUBTREE = """
    SELECT id FROM works_topic WHERE id = %(topic)s
    UNION SELECT id FROM works_topic WHERE parent_id = %(topic)s
    UNION SELECT id FROM works_topic WHERE parent_id IN (
        SELECT id FROM works_topic WHERE parent_id = %(topic)s)
    UNION SELECT id FROM works_topic WHERE parent_id IN (
        SELECT id FROM works_topic WHERE parent_id IN (
            SELECT id FROM works_topic WHERE parent_id = %(topic)s))
"""

# Canonical works (cw) carrying the subtree's topics on a visible version; then who wrote a
# visible version of each, read through the works.id and works.version_of_id indexes; then one
# row per live researcher with the number of those works and how many researchers in all.
_RANKING = f"""
    WITH subtree AS ({_SUBTREE}),
    tw AS (
        SELECT DISTINCT COALESCE(w.version_of_id, w.id) AS cw
        FROM works_worktopic wt JOIN works_work w ON w.id = wt.work_id
        WHERE w.is_hidden = %(hidden)s AND wt.topic_id IN (SELECT id FROM subtree)
    ),
    rw AS (
        SELECT DISTINCT COALESCE(r.merged_into_id, r.id) AS rid,
               COALESCE(w.version_of_id, w.id) AS cw
        FROM works_authorship a
        JOIN works_work w ON w.id = a.work_id
        JOIN profiles_researcher r ON r.id = a.researcher_id
        WHERE w.is_hidden = %(hidden)s AND a.work_id IN (
            SELECT id FROM works_work WHERE id IN (SELECT cw FROM tw)
            UNION
            SELECT id FROM works_work WHERE version_of_id IN (SELECT cw FROM tw)
        )
    )
    SELECT rw.rid, COUNT(*) AS n, COUNT(*) OVER () AS total
    FROM rw JOIN profiles_researcher live ON live.id = rw.rid AND live.merged_into_id IS NULL
    GROUP BY rw.rid
    ORDER BY n DESC, rw.rid
    LIMIT %(limit)s
"""  # noqa: S608 (constant SQL, values are parameters)


def lineage(topic: Topic) -> list[Topic]:
    """The topic's ancestors, the domain first, then the topic itself. Read from the
    ``parent`` chain the caller selected (``select_related("parent__parent__parent")``)."""
    chain = [topic]
    while chain[0].parent_id is not None and len(chain) < len(LEVEL_LABELS):
        chain.insert(0, chain[0].parent)
    return chain


def children_of(topic: Topic, limit: int = CHILDREN_LIMIT) -> list[Topic]:
    """The next level down, by name (none below a topic of the last level)."""
    return list(topic.children.order_by("display_name", "pk")[:limit])


def ranked_people_in(topic_id: int, limit: int = PEOPLE_LIMIT) -> tuple[list[Researcher], int]:
    """(researchers with the most works in the topic first, each with ``topic_works_count``;
    how many researchers have works in it in all)."""
    with connection.cursor() as cursor:
        cursor.execute(_RANKING, {"topic": topic_id, "hidden": False, "limit": limit})
        rows = cursor.fetchall()
    if not rows:
        return [], 0
    counts = {rid: n for rid, n, _ in rows}
    by_pk = Researcher.objects.select_related("last_known_institution").in_bulk(list(counts))
    people = []
    for rid in counts:
        if rid in by_pk:
            by_pk[rid].topic_works_count = counts[rid]
            people.append(by_pk[rid])
    return people, rows[0][2]


@dataclass
class TopicPage:
    topic: Topic
    lineage: list[Topic]
    children: list[Topic]
    people: list[Researcher]
    people_count: int

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.topic.level, self.topic.level.capitalize())

    @property
    def child_level_label(self) -> str:
        levels = list(LEVEL_LABELS)
        index = levels.index(self.topic.level) if self.topic.level in levels else len(levels)
        return LEVEL_LABELS[levels[index + 1]] if index + 1 < len(levels) else ""

    @property
    def openalex_url(self) -> str:
        return openalex_url(self.topic.openalex_id)

    @property
    def lineage_rows(self) -> list[dict]:
        return [
            {"topic": node, "level_label": LEVEL_LABELS.get(node.level, node.level.capitalize())}
            for node in self.lineage
        ]

    @property
    def crumbs(self) -> list[tuple[str, str]]:
        return [
            (node.display_name, reverse("profiles:topic", args=[node.pk])) for node in self.lineage
        ]


def get_topic_or_404(pk) -> Topic:
    return get_object_or_404(Topic.objects.select_related("parent__parent__parent"), pk=pk)


def topic_page(topic: Topic) -> TopicPage:
    people, people_count = ranked_people_in(topic.pk)
    return TopicPage(
        topic=topic,
        lineage=lineage(topic),
        children=children_of(topic),
        people=people,
        people_count=people_count,
    )


@cached_public_page
def topic_detail(request, pk: int):
    topic = get_topic_or_404(pk)
    return render(
        request, "profiles/topic_detail.html", {"page": topic_page(topic), "topic": topic}
    )
