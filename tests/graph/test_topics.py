"""Joseph Mearman's topics, ranked by how many of his visible works carry them."""

from collections import Counter

import pytest

from graph.actions import refresh_researchers
from profiles.models import ResearcherTopic
from tests.graph.conftest import PREPRINT, PUBLISHED, recorded_works
from works.models import Work

pytestmark = pytest.mark.django_db


def expected_topic_counts(hidden: frozenset = frozenset()) -> Counter:
    """Works per topic from the raw JSON; the preprint/published pair is one work whose topics
    are the union of both records' topics."""
    topics_by_paper: dict[str, set[str]] = {}
    for work in recorded_works():
        work_id = work["id"].rsplit("/", 1)[-1]
        if work_id in hidden:
            continue
        paper = PUBLISHED if work_id == PREPRINT else work_id
        topics = {t["id"].rsplit("/", 1)[-1] for t in work["topics"]}
        topics_by_paper.setdefault(paper, set()).update(topics)
    return Counter(topic for topics in topics_by_paper.values() for topic in topics)


def test_his_topics_are_ranked_by_works_count(mearman):
    expected = expected_topic_counts()
    rows = list(
        ResearcherTopic.objects.filter(researcher=mearman).select_related("topic").order_by("rank")
    )
    assert {row.topic.openalex_id: row.works_count for row in rows} == dict(expected)
    assert [row.rank for row in rows] == list(range(1, len(expected) + 1))
    assert [row.works_count for row in rows] == sorted(expected.values(), reverse=True)
    assert rows[0].topic.display_name == "Augmented Reality Applications"
    assert rows[0].works_count == 4
    mearman.refresh_from_db()
    assert mearman.topics_count == len(expected) == 13


def test_a_hidden_work_no_longer_gives_its_topics(mearman):
    hidden = "W2978758657"  # the only work with just one topic (T10888)
    Work.objects.filter(openalex_id=hidden).update(is_hidden=True)
    refresh_researchers([mearman.pk])
    counts = dict(
        ResearcherTopic.objects.filter(researcher=mearman).values_list(
            "topic__openalex_id", "works_count"
        )
    )
    assert counts == dict(expected_topic_counts(hidden=frozenset({hidden})))
    assert counts["T10888"] == 3
