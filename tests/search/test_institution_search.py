"""Searching for an institution ("Bangor University") finds it and the people there."""

import pytest
from django.urls import reverse

from graph.actions import refresh_researchers
from profiles.institution_search import PEOPLE_PER_INSTITUTION, institutions_matching
from tests.factories import AuthorshipFactory, InstitutionFactory, ResearcherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bangor_people():
    bangor = InstitutionFactory(display_name="Bangor University")
    InstitutionFactory(display_name="Aberystwyth University")
    busy = ResearcherFactory(display_name="Joseph Mearman", last_known_institution=bangor)
    for _ in range(3):
        AuthorshipFactory(researcher=busy)
    quiet = ResearcherFactory(display_name="Anne Quiet", last_known_institution=bangor)
    ResearcherFactory(display_name="Merged Away", last_known_institution=bangor, merged_into=busy)
    refresh_researchers([busy.pk, quiet.pk])  # the counts, as after an import
    return bangor, busy, quiet


def test_every_word_must_start_a_word_of_the_name(bangor_people):
    bangor, busy, quiet = bangor_people
    (match,) = institutions_matching("bangor univ")
    assert match.institution == bangor
    # Canonical records only, the most published first.
    assert (match.people_count, match.people) == (2, [busy, quiet])
    assert institutions_matching("angor") == []
    assert [m.institution.display_name for m in institutions_matching("university")] == [
        "Bangor University",  # two people
        "Aberystwyth University",  # none
    ]


def test_accents_and_case_do_not_matter():
    InstitutionFactory(display_name="Université de Montréal")
    (match,) = institutions_matching("UNIVERSITE montreal")
    assert match.institution.display_name == "Université de Montréal"


def test_people_per_institution_are_capped_and_the_queries_do_not_grow(
    django_assert_max_num_queries,
):
    for n in range(3):
        place = InstitutionFactory(display_name=f"Big University {n}")
        for i in range(PEOPLE_PER_INSTITUTION + 4):
            ResearcherFactory(display_name=f"Person {n}-{i}", last_known_institution=place)
    with django_assert_max_num_queries(2):
        matches = institutions_matching("big university")
    assert len(matches) == 3
    assert all(len(m.people) == PEOPLE_PER_INSTITUTION for m in matches)
    assert all(m.people_count == PEOPLE_PER_INSTITUTION + 4 for m in matches)


def test_the_search_page_lists_the_institution_and_its_people(client, bangor_people):
    response = client.get(reverse("profiles:search"), {"q": "Bangor University"})
    body = response.content.decode()
    section = body[body.index('data-testid="institution-results"') :]
    section = section[: section.index("</section>")]
    assert "Bangor University" in section
    assert "2 researchers here" in section
    assert "Joseph Mearman" in section and "Anne Quiet" in section
    assert "Merged Away" not in section


def test_no_institution_section_when_none_matches(client, bangor_people):
    body = client.get(reverse("profiles:search"), {"q": "Mearman"}).content.decode()
    assert 'data-testid="institution-results"' not in body
    assert "Joseph Mearman" in body
