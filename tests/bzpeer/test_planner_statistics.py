"""After a bulk load the planner's statistics describe the new rows (PostgreSQL), so the first
queries after it are not planned for the nearly empty tables that were there before."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from graph.models import Collaboration
from tests.conftest import OPENALEX
from tests.search.recorded import import_recorded
from works.models import Work

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's"
    ),
]


def analyze(model) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {model._meta.db_table}")


def planner_rows(model) -> float:
    """The table's row count as the planner last recorded it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table]
        )
        return cursor.fetchone()[0]


def test_a_snapshot_import_leaves_statistics_of_what_it_loaded():
    analyze(Work)
    assert planner_rows(Work) <= 0

    call_command(
        "import_openalex_snapshot",
        str(OPENALEX / "works-by-A5017898742-per_page50.json"),
        stdout=io.StringIO(),
    )

    assert planner_rows(Work) == Work.objects.count() > 0


def test_recompute_graph_leaves_statistics_of_the_graph_it_wrote():
    import_recorded()
    Collaboration.objects.all().delete()
    analyze(Collaboration)
    assert planner_rows(Collaboration) <= 0

    call_command("recompute_graph", stdout=io.StringIO())

    assert planner_rows(Collaboration) == Collaboration.objects.count() > 0
