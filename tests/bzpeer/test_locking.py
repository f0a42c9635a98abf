"""lock_in_id_order: the one way two records are locked together."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bzpeer.locking import lock_in_id_order
from tests.factories import ResearcherFactory
from works.models import Researcher

pytestmark = pytest.mark.django_db


def test_it_returns_each_row_by_id_whatever_order_they_were_asked_in():
    a, b = ResearcherFactory(), ResearcherFactory()
    locked = lock_in_id_order(Researcher, [b.pk, a.pk, b.pk])
    assert locked == {a.pk: a, b.pk: b}
    assert list(locked) == sorted([a.pk, b.pk])


def test_it_locks_in_ascending_id_order_in_one_query():
    a, b = ResearcherFactory(), ResearcherFactory()
    with CaptureQueriesContext(connection) as queries:
        lock_in_id_order(Researcher.objects.select_related("owner"), [b.pk, a.pk])
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert '"ID" ASC' in sql.split("ORDER BY")[1]
    if connection.features.has_select_for_update:  # SQLite locks the whole database instead
        assert sql.rstrip().endswith('FOR UPDATE OF "PROFILES_RESEARCHER"')


def test_a_missing_id_raises_does_not_exist_naming_it():
    a = ResearcherFactory()
    with pytest.raises(Researcher.DoesNotExist, match="987654"):
        lock_in_id_order(Researcher, [a.pk, 987654])


def test_missing_ok_locks_the_rows_that_exist():
    kept = ResearcherFactory()
    gone = ResearcherFactory()
    gone_pk = gone.pk
    gone.delete()
    locked = lock_in_id_order(Researcher, [gone_pk, kept.pk], missing_ok=True)
    assert list(locked) == [kept.pk]
