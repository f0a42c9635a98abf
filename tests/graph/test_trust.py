"""The trust score's rules (docs/trust.md)."""

import itertools
from dataclasses import replace

import orjson
import pytest

from graph.actions import refresh_researchers
from graph.models import TrustScore
from graph.trust import Evidence, explain, score
from tests.factories import AuthorshipFactory, ResearcherFactory, TopicFactory, WorkFactory
from works.models import Researcher, WorkTopic, trust_band_for

IDENTITY = ["openalex_id", "curated", "orcid", "claimed", "staff_verified"]

# The reference page: unclaimed, L1, 48 works, no followers, 4 close collaborators, 10 topics.
REFERENCE = Evidence(openalex_id=True, works=48, topics=10, close_collaborators=4, coauthors=4)


def test_the_bands_follow_the_documented_floors():
    assert [trust_band_for(s) for s in (0, 24, 25, 49, 50, 74, 75, 100)] == [
        "Emerging",
        "Emerging",
        "Developing",
        "Developing",
        "Established",
        "Established",
        "Trusted",
        "Trusted",
    ]
    assert trust_band_for(None) == "Not yet scored"


def test_a_record_like_the_reference_one_is_emerging_at_21():
    total, breakdown = score(REFERENCE)
    assert total == 21
    assert trust_band_for(total) == "Emerging"
    assert breakdown["level"] == Researcher.Level.INDEXED


def test_the_score_is_the_sum_of_its_explained_components():
    total, breakdown = score(REFERENCE)
    components = breakdown["components"]
    assert [c["label"] for c in components] == [
        "Identity evidence",
        "Scholarly record",
        "Collaboration network",
        "Community",
    ]
    assert sum(c["points"] for c in components) == total
    assert sum(c["max"] for c in components) == 100
    assert components[1]["explanation"] == "Works 9/20, Topics 3/5"
    detailed = explain(REFERENCE)
    assert [c["points"] for c in detailed] == [c["points"] for c in components]
    for component in detailed:
        assert sum(item["points"] for item in component["items"]) == component["points"]
        for item in component["items"]:
            assert 0 <= item["points"] <= item["max"]
            assert item["explanation"]
    works = detailed[1]["items"][0]
    assert works["points"] == 9
    assert works["explanation"] == "48 visible works: 1 point per 5 works."
    # The stored evidence is enough to explain a stored score again.
    assert explain(Evidence(**breakdown["evidence"])) == detailed


@pytest.mark.parametrize("base", [Evidence(), REFERENCE, replace(REFERENCE, followers=40)])
def test_more_identity_evidence_never_lowers_the_score(base):
    for flags in itertools.product([False, True], repeat=len(IDENTITY)):
        evidence = replace(base, **dict(zip(IDENTITY, flags, strict=True)))
        before, _ = score(evidence)
        for name in IDENTITY:
            if not getattr(evidence, name):
                after, _ = score(replace(evidence, **{name: True}))
                assert after >= before, (evidence, name)


def test_followers_alone_add_at_most_ten_points():
    for base in (Evidence(), REFERENCE, replace(REFERENCE, claimed=True, orcid=True)):
        without, _ = score(base)
        for followers in (1, 2, 3, 10, 30, 99, 100, 10_000, 10**9):
            with_followers, _ = score(replace(base, followers=followers))
            assert 0 <= with_followers - without <= 10
    assert score(Evidence(followers=10**9))[0] == 10


def test_a_full_record_can_reach_trusted():
    evidence = Evidence(
        openalex_id=True,
        orcid=True,
        claimed=True,
        staff_verified=True,
        works=120,
        topics=20,
        close_collaborators=20,
        coauthors=150,
        followers=120,
        claimed_close_collaborators=6,
    )
    assert score(evidence)[0] == 100
    assert trust_band_for(score(evidence)[0]) == "Trusted"


@pytest.mark.django_db
def test_the_stored_score_matches_the_records_data_and_history_is_kept(owner):
    researcher = ResearcherFactory()
    topics = TopicFactory.create_batch(10)
    closes = ResearcherFactory.create_batch(4)
    for index in range(48):
        work = WorkFactory(publication_year=2000 + index % 20)
        AuthorshipFactory(work=work, researcher=researcher, order=0)
        AuthorshipFactory(work=work, researcher=closes[index % 4], order=1)
        WorkTopic.objects.create(work=work, topic=topics[index % 10])

    refresh_researchers([researcher.pk])
    researcher.refresh_from_db()
    assert researcher.trust_score == 21
    assert researcher.trust_band == "Emerging"
    assert researcher.close_collaborators_count == 4
    assert researcher.topics_count == 10
    assert researcher.trust_computed_at is not None
    assert researcher.trust_breakdown["score"] == 21
    assert TrustScore.objects.filter(researcher=researcher).count() == 1

    refresh_researchers([researcher.pk])  # nothing changed: no new history row
    assert TrustScore.objects.filter(researcher=researcher).count() == 1

    researcher.owner = owner
    researcher.save(update_fields=["owner"])
    refresh_researchers([researcher.pk])
    researcher.refresh_from_db()
    assert researcher.verification_level == Researcher.Level.CLAIMED
    assert researcher.trust_score == 31
    history = list(TrustScore.objects.filter(researcher=researcher).order_by("computed_at", "pk"))
    assert [(h.score, h.level) for h in history] == [(21, 1), (31, 3)]


@pytest.mark.django_db
def test_claiming_a_record_raises_its_collaborators_community_points(owner):
    researcher, collaborator = ResearcherFactory.create_batch(2)
    for _ in range(3):
        work = WorkFactory()
        AuthorshipFactory(work=work, researcher=researcher, order=0)
        AuthorshipFactory(work=work, researcher=collaborator, order=1)
    refresh_researchers([researcher.pk])
    collaborator.refresh_from_db()
    before = collaborator.trust_score

    researcher.owner = owner
    researcher.save(update_fields=["owner"])
    refresh_researchers([researcher.pk])
    collaborator.refresh_from_db()
    assert collaborator.trust_score == before + 1
    assert collaborator.trust_breakdown["evidence"]["claimed_close_collaborators"] == 1


@pytest.mark.parametrize(
    "evidence",
    [
        Evidence(),
        REFERENCE,
        Evidence(openalex_id=True, orcid=True, claimed=True, staff_verified=True, works=500),
        Evidence(curated=True, followers=12, claimed_close_collaborators=2, coauthors=45),
    ],
)
def test_the_bulk_json_breakdown_is_the_same_as_the_scored_one(evidence):
    import json

    from graph.trust import _scored

    total, breakdown = score(evidence)
    stored_total, level, text = _scored(evidence)
    assert (stored_total, level) == (total, breakdown["level"])
    assert json.loads(text) == breakdown


def test_each_level_and_component_reads_the_same_in_the_breakdown_as_on_the_model():
    for evidence in (Evidence(), Evidence(curated=True), Evidence(orcid=True, works=12)):
        _, breakdown = score(evidence)
        assert breakdown["level_label"] == Researcher.Level(breakdown["level"]).label
        record = next(c for c in breakdown["components"] if c["key"] == "record")
        works = min(20, evidence.works // 5)
        assert record["explanation"] == f"Works {works}/20, Topics 0/5"
        assert record["max"] == 25


def test_the_stored_json_is_the_breakdown_serialised_once():
    from graph.trust import _scored

    _, breakdown = score(REFERENCE)
    assert _scored(REFERENCE)[2] == orjson.dumps(breakdown).decode()


# The two records a visitor compared: identifiers and nothing else, and an active record like
# Joseph Mearman's (no ORCID, 8 works, 13 topics, 2 close collaborators, 17 co-authors).
EMPTY_WITH_ORCID = Evidence(openalex_id=True, orcid=True)
ACTIVE = Evidence(openalex_id=True, works=8, topics=13, close_collaborators=2, coauthors=17)


def test_identifiers_alone_score_below_an_active_record():
    assert score(EMPTY_WITH_ORCID)[0] == 10
    assert score(ACTIVE)[0] == 12


@pytest.mark.django_db
def test_an_active_record_is_ranked_above_an_empty_one_with_an_orcid():
    empty = ResearcherFactory(display_name="Empty", orcid="0000-0002-1825-0097")
    active = ResearcherFactory(display_name="Active")
    topics = TopicFactory.create_batch(13)
    closes = ResearcherFactory.create_batch(2)
    for index in range(8):
        work = WorkFactory(publication_year=2014 + index)
        AuthorshipFactory(work=work, researcher=active, order=0)
        AuthorshipFactory(work=work, researcher=closes[index % 2], order=1)
    for index, topic in enumerate(topics):
        WorkTopic.objects.create(work=active.authorships.all()[index % 8].work, topic=topic)

    refresh_researchers([empty.pk, active.pk])
    ranked = list(
        Researcher.objects.filter(pk__in=[empty.pk, active.pk])
        .order_by("-trust_score")
        .values_list("display_name", "trust_score")
    )
    assert ranked == [("Active", 12), ("Empty", 10)]
