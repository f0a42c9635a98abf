"""Researcher.objects.resolve and resolve_pks: the one way to reach a merged record's live one."""

import itertools

import pytest

from tests.factories import ResearcherFactory
from works.models import MAX_MERGE_HOPS, Researcher

pytestmark = pytest.mark.django_db


def _chain(length: int) -> list[Researcher]:
    """length records, each merged into the next; the last is live."""
    records = [ResearcherFactory() for _ in range(length)]
    for record, into in itertools.pairwise(records):
        Researcher.objects.filter(pk=record.pk).update(merged_into=into)
    return records


def test_a_record_never_merged_resolves_to_itself_in_one_query(django_assert_num_queries):
    record = ResearcherFactory()
    with django_assert_num_queries(1):
        assert Researcher.objects.resolve(record.pk) == record


def test_a_merged_record_resolves_to_the_end_of_its_chain():
    first, middle, live = _chain(3)
    assert Researcher.objects.resolve(first.pk) == live
    assert Researcher.objects.resolve(middle.pk) == live
    assert Researcher.objects.resolve(first.pk).merged_into_id is None


def test_a_missing_pk_resolves_to_none():
    assert Researcher.objects.resolve(987654) is None


def test_a_cycle_resolves_to_none_instead_of_looping():
    a, b = ResearcherFactory(), ResearcherFactory()
    Researcher.objects.filter(pk=a.pk).update(merged_into=b)
    Researcher.objects.filter(pk=b.pk).update(merged_into=a)
    assert Researcher.objects.resolve(a.pk) is None
    assert Researcher.objects.resolve_pks([a.pk, b.pk]) == {}


def test_a_chain_longer_than_the_cap_resolves_to_none():
    records = _chain(MAX_MERGE_HOPS + 2)
    assert Researcher.objects.resolve(records[0].pk) is None
    # One hop shorter is followed to its end.
    assert Researcher.objects.resolve(records[2].pk) == records[-1]


def test_the_querysets_select_related_reaches_the_live_record(django_assert_num_queries):
    first, live = _chain(2)
    with django_assert_num_queries(2):
        found = Researcher.objects.select_related("last_known_institution").resolve(first.pk)
        found.last_known_institution  # noqa: B018
    assert found == live


def test_resolve_pks_maps_many_records_one_query_per_level(django_assert_num_queries):
    first, middle, live = _chain(3)
    alone = ResearcherFactory()
    with django_assert_num_queries(1):
        mapping = Researcher.objects.resolve_pks([first.pk, middle.pk, live.pk, alone.pk, 987654])
    assert mapping == {first.pk: live.pk, middle.pk: live.pk, live.pk: live.pk, alone.pk: alone.pk}
    # Asked for the start of the chain alone, it reads one level per query.
    with django_assert_num_queries(3):
        assert Researcher.objects.resolve_pks([first.pk]) == {first.pk: live.pk}


def test_resolve_pks_costs_nothing_when_the_caller_knows_nothing_was_merged(
    django_assert_num_queries,
):
    a, b = ResearcherFactory(), ResearcherFactory()
    with django_assert_num_queries(0):
        mapping = Researcher.objects.resolve_pks([a.pk, b.pk], known={a.pk: None, b.pk: None})
    assert mapping == {a.pk: a.pk, b.pk: b.pk}
