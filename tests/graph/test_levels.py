"""Verification levels L0-L4, and the level of each recorded OpenAlex author."""

import pytest

from graph.actions import refresh_researchers
from tests.factories import ResearcherFactory
from tests.graph.conftest import recorded_authors
from works.importers.openalex import import_author
from works.models import Researcher

pytestmark = pytest.mark.django_db


def level_of(researcher: Researcher) -> int:
    refresh_researchers([researcher.pk])
    researcher.refresh_from_db()
    return researcher.verification_level


def test_each_recorded_author_gets_l2_with_an_orcid_and_l1_without():
    authors = recorded_authors()
    assert len(authors) == 10
    for data in authors:
        researcher = import_author(data)
        expected = Researcher.Level.ORCID if data.get("orcid") else Researcher.Level.INDEXED
        assert level_of(researcher) == expected, data["display_name"]
    levels = dict(Researcher.objects.values_list("openalex_id", "verification_level"))
    # Joseph Mearman and James Jackson carry no ORCID in the recorded data.
    assert levels["A5017898742"] == levels["A5110556667"] == Researcher.Level.INDEXED
    assert sum(1 for level in levels.values() if level == Researcher.Level.ORCID) == 8


def test_a_name_only_record_is_l0():
    assert level_of(ResearcherFactory(openalex_id=None)) == Researcher.Level.NAME_ONLY


def test_a_record_curated_by_staff_is_l1_without_an_authority_id():
    researcher = ResearcherFactory(openalex_id=None, origin=Researcher.Origin.CURATED)
    assert level_of(researcher) == Researcher.Level.INDEXED


def test_a_claimed_record_is_l3_and_l4_once_staff_verified(owner):
    researcher = ResearcherFactory(orcid="0000-0002-1825-0097", owner=owner)
    assert level_of(researcher) == Researcher.Level.CLAIMED
    researcher.staff_verified = True
    researcher.save(update_fields=["staff_verified"])
    assert level_of(researcher) == Researcher.Level.VERIFIED


def test_staff_verification_without_a_claim_is_not_l4():
    researcher = ResearcherFactory(staff_verified=True)
    assert level_of(researcher) == Researcher.Level.INDEXED
