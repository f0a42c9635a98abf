"""Collaborators of Joseph Mearman, checked against counts computed here from the raw JSON."""

from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from graph.actions import refresh_researchers
from graph.models import Collaboration, TrustScore
from tests.graph.conftest import MEARMAN, PREPRINT, PUBLISHED, recorded_works
from works.models import Researcher, Work

pytestmark = pytest.mark.django_db


def short(openalex_url: str) -> str:
    return openalex_url.rsplit("/", 1)[-1]


def expected_from_raw(hidden: frozenset = frozenset()) -> dict[str, tuple[int, int, int]]:
    """{co-author OpenAlex id: (shared works, first year, last year)} straight from the JSON,
    counting the preprint/published pair once."""
    shared: dict[str, dict[str, int]] = defaultdict(dict)
    for work in recorded_works():
        work_id = short(work["id"])
        if work_id in hidden:
            continue
        paper = PUBLISHED if work_id == PREPRINT else work_id
        authors = {short(a["author"]["id"]) for a in work["authorships"]}
        if MEARMAN not in authors:
            continue
        for author in authors - {MEARMAN}:
            year = work["publication_year"]
            shared[author][paper] = min(year, shared[author].get(paper, year))
    return {
        author: (len(papers), min(papers.values()), max(papers.values()))
        for author, papers in shared.items()
    }


def stored(researcher: Researcher) -> dict[str, tuple[int, int, int]]:
    return {
        c.coauthor.openalex_id: (c.shared_works_count, c.first_year, c.last_year)
        for c in Collaboration.objects.filter(researcher=researcher).select_related("coauthor")
    }


def test_his_collaborators_have_the_shared_work_counts_of_the_recorded_data(mearman):
    expected = expected_from_raw()
    assert len(expected) == 17
    assert stored(mearman) == expected
    # The preprint and its published version are one paper: Roberts is on 8 records, 7 papers.
    assert expected["A5009341822"][0] == 7


def test_collaborations_are_stored_in_both_directions_with_the_same_counts(mearman):
    for row in Collaboration.objects.filter(researcher=mearman):
        mirror = Collaboration.objects.get(researcher=row.coauthor, coauthor=mearman)
        assert (mirror.shared_works_count, mirror.first_year, mirror.last_year) == (
            row.shared_works_count,
            row.first_year,
            row.last_year,
        )


@pytest.mark.parametrize(("threshold", "close"), [(1, 17), (2, 10), (3, 2)])
def test_close_collaborators_follow_the_threshold_setting(mearman, threshold, close):
    expected = sum(1 for n, _, _ in expected_from_raw().values() if n >= threshold)
    assert expected == close
    with override_settings(BZPEER_CLOSE_COLLABORATOR_MIN_SHARED_WORKS=threshold):
        refresh_researchers([mearman.pk])
    mearman.refresh_from_db()
    assert mearman.close_collaborators_count == close


def test_hiding_a_work_and_refreshing_its_authors_recomputes_their_collaborations(mearman):
    hidden = "W2250748100"  # the 2015 article with eleven authors
    work = Work.objects.get(openalex_id=hidden)
    work.is_hidden = True
    work.save(update_fields=["is_hidden"])
    authors = list(work.authorships.values_list("researcher_id", flat=True))

    refresh_researchers(authors)

    expected = expected_from_raw(hidden=frozenset({hidden}))
    assert stored(mearman) == expected
    griffiths = Researcher.objects.get(openalex_id="A5051170793")
    # Seren Griffiths shared only the hidden work with anyone: no collaborations left.
    assert not Collaboration.objects.filter(researcher=griffiths).exists()
    assert not Collaboration.objects.filter(coauthor=griffiths).exists()
    roberts = Researcher.objects.get(openalex_id="A5009341822")
    assert Collaboration.objects.get(researcher=roberts, coauthor=mearman).shared_works_count == 6


def test_a_second_refresh_changes_nothing(mearman):
    before = stored(mearman)
    history = TrustScore.objects.count()
    refresh_researchers(Researcher.objects.values_list("pk", flat=True))
    assert stored(mearman) == before
    assert TrustScore.objects.count() == history


def test_the_full_recompute_matches_the_incremental_one(mearman):
    incremental = set(
        Collaboration.objects.values_list(
            "researcher_id", "coauthor_id", "shared_works_count", "first_year", "last_year"
        )
    )
    counters = set(
        Researcher.objects.values_list(
            "pk", "close_collaborators_count", "topics_count", "trust_score", "verification_level"
        )
    )
    history = TrustScore.objects.count()

    call_command("recompute_graph", stdout=StringIO())

    assert incremental == set(
        Collaboration.objects.values_list(
            "researcher_id", "coauthor_id", "shared_works_count", "first_year", "last_year"
        )
    )
    assert counters == set(
        Researcher.objects.values_list(
            "pk", "close_collaborators_count", "topics_count", "trust_score", "verification_level"
        )
    )
    assert TrustScore.objects.count() == history  # no score changed: no new history


def test_a_merged_record_counts_as_the_record_it_was_merged_into(mearman):
    jackson = Researcher.objects.get(openalex_id="A5110556667")
    duplicate = Researcher.objects.create(display_name="J. Jackson")
    # Move one of Jackson's authorships to a duplicate record, then merge it back.
    authorship = jackson.authorships.order_by("work__publication_year").first()
    authorship.researcher = duplicate
    authorship.save(update_fields=["researcher"])
    refresh_researchers([jackson.pk, duplicate.pk, mearman.pk])
    assert Collaboration.objects.get(researcher=mearman, coauthor=jackson).shared_works_count == 1

    duplicate.merged_into = jackson
    duplicate.save(update_fields=["merged_into"])
    refresh_researchers([duplicate.pk])

    assert Collaboration.objects.get(researcher=mearman, coauthor=jackson).shared_works_count == 2
    assert not Collaboration.objects.filter(coauthor=duplicate).exists()
