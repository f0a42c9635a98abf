"""Similar researchers and the co-author sidebar, on the recorded Mearman data."""

import re
from html import unescape

import pytest
from django.db import connection

from graph.actions import refresh_researchers
from graph.models import Collaboration
from graph.similar import coauthors_of, similar_to
from profiles.models import ResearcherTopic
from works.models import Institution, Researcher

pytestmark = pytest.mark.django_db


def _expected_scores(me: Researcher) -> dict[int, tuple[int, int]]:
    """{researcher id: (shared topics, shared co-authors)}, worked out with Python sets from
    the stored rows, for everyone sharing anything with ``me``."""
    topics, coauthors = {}, {}
    for rid, topic in ResearcherTopic.objects.values_list("researcher_id", "topic_id"):
        topics.setdefault(rid, set()).add(topic)
    for rid, coauthor in Collaboration.objects.values_list("researcher_id", "coauthor_id"):
        coauthors.setdefault(rid, set()).add(coauthor)
    scores = {}
    for rid in set(topics) | set(coauthors):
        if rid == me.pk:
            continue
        shared = (
            len(topics.get(rid, set()) & topics.get(me.pk, set())),
            len(coauthors.get(rid, set()) & coauthors.get(me.pk, set())),
        )
        if any(shared):
            scores[rid] = shared
    return scores


def test_similar_researchers_are_scored_by_shared_topics_and_co_authors(mearman):
    expected = _expected_scores(mearman)
    similar = similar_to(mearman.pk, limit=100)

    assert mearman.pk not in {s.researcher.pk for s in similar}
    assert {s.researcher.pk: (s.shared_topics, s.shared_coauthors) for s in similar} == expected
    scores = [s.score for s in similar]
    assert scores == sorted(scores, reverse=True)
    # Jonathan C. Roberts shares every one of Mearman's 13 topics and most of his co-authors.
    top = similar[0]
    assert top.researcher.display_name in {"Jonathan C. Roberts", "Panagiotis D. Ritsos"}
    assert top.shared_topics == ResearcherTopic.objects.filter(researcher=mearman).count()
    assert top.is_coauthor and top.institution_name == "Bangor University"


def test_a_researcher_with_only_topics_in_common_is_similar_but_not_a_co_author(mearman):
    # Jason Priem wrote none of Mearman's papers; "The state of OA" is not in this fixture,
    # so give him one of Mearman's topics by hand through a ranked-topic row.
    priem = Researcher.objects.get(display_name="Jason Priem")
    topic_id = ResearcherTopic.objects.filter(researcher=mearman).values_list("topic", flat=True)[0]
    ResearcherTopic.objects.create(researcher=priem, topic_id=topic_id, works_count=1, rank=1)

    found = {s.researcher.pk: s for s in similar_to(mearman.pk, limit=100)}

    assert found[priem.pk].shared_topics == 1
    assert found[priem.pk].shared_coauthors == 0
    assert not found[priem.pk].is_coauthor


def test_merged_records_are_never_similar_nor_listed_as_co_authors(mearman):
    ritsos = Researcher.objects.get(display_name="Panagiotis D. Ritsos")
    roberts = Researcher.objects.get(display_name="Jonathan C. Roberts")
    Researcher.objects.filter(pk=ritsos.pk).update(merged_into=roberts)

    assert ritsos.pk not in {s.researcher.pk for s in similar_to(mearman.pk, limit=100)}
    assert ritsos.pk not in {c.coauthor_id for c in coauthors_of(mearman.pk, limit=100)}


def test_similar_takes_one_query(mearman, django_assert_num_queries):
    with django_assert_num_queries(1):
        similar_to(mearman.pk)
    with django_assert_num_queries(1):
        [c.coauthor.last_known_institution for c in coauthors_of(mearman.pk)]


def test_the_profile_shows_co_authors_with_their_institutions_and_similar_researchers(
    client, mearman
):
    bangor = Institution.objects.get(openalex_id="I161548249")
    refresh_researchers([mearman.pk])

    html = client.get(mearman.get_absolute_url()).content.decode()

    coauthors = html.split('data-testid="coauthors"', 1)[1].split("</ul>", 1)[0]
    first = re.search(
        r'dir="auto">([^<]+)</a>\s*<span class="people-list__meta"><a href="([^"]+)"', coauthors
    )
    assert unescape(first.group(1)) in {"Jonathan C. Roberts", "Panagiotis D. Ritsos"}
    assert first.group(2) == f"/institutions/{bangor.pk}/"
    similar = html.split('data-testid="similar-researchers"', 1)[1].split("</ol>", 1)[0]
    assert "Joseph Mearman" not in similar
    assert "13 topics and" in similar and "co-author" in similar


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_a_topic_held_by_many_is_read_from_its_index_a_bounded_number_of_holders(db):
    """A popular topic costs no more than a rare one: its holders come from the topic's index,
    most works first, at most PER_TOPIC of them."""
    from graph import similar
    from tests.factories import ResearcherFactory, TopicFactory

    topic = TopicFactory()
    me = ResearcherFactory()
    holders = Researcher.objects.bulk_create(
        Researcher(display_name=f"Holder {i}") for i in range(similar.PER_TOPIC + 50)
    )
    ResearcherTopic.objects.bulk_create(
        ResearcherTopic(researcher=r, topic=topic, works_count=i + 1, rank=1)
        for i, r in enumerate([me, *holders])
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE graph_researchertopic")
        # A table this small is cheaper to scan; on a big one the index is the way. Forbid the
        # scans that read a table unordered (left to itself, the planner's choice between them
        # follows statistics that earlier tests change) to show the index serves the query, in
        # the topic's order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        sql = similar._SIMILAR.replace("{topic_overlap}", similar._TOPIC_OVERLAP["postgresql"])
        cursor.execute("EXPLAIN " + sql, {"me": me.pk, "limit": 8, "per_topic": similar.PER_TOPIC})
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Scan using researchertopic_by_topic" in plan, plan
    assert "Sort Key: graph_researchertopic_1.works_count" not in plan, plan
    found = similar.similar_to(me.pk)
    # Equal scores are listed by id, among the PER_TOPIC holders with the most works in the
    # topic only: the 50 with the fewest are not read at all.
    assert [s.researcher.pk for s in found] == [h.pk for h in holders[50:58]]
