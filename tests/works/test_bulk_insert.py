"""The import's inserts of many rows go by COPY on PostgreSQL (``works.importers.bulk_insert``)."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import OPENALEX
from works.importers.openalex import import_works
from works.models import Authorship, WorkReference, WorkTopic

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

# The tables whose rows an import of works inserts by the thousand.
MANY_ROWS = ["works_work", "works_authorship", "works_authorship_institutions"]
MANY_ROWS += ["works_worktopic", "works_workreference"]


def test_the_many_rows_of_a_works_import_are_copied_not_bound_as_values():
    works = json.loads((OPENALEX / "works-page1-per_page50.json").read_text())["results"]

    with CaptureQueriesContext(connection) as queries:
        import_works(works)

    assert Authorship.objects.exists() and WorkTopic.objects.exists()
    assert WorkReference.objects.exists()
    for table in MANY_ROWS:
        inserts = [q["sql"] for q in queries if re.match(rf'INSERT INTO "{table}"', q["sql"])]
        assert inserts, table
        # INSERT .. SELECT from the table the rows were copied into; never a bulk_create's
        # VALUES (a model field the insert leaves to its default sends it down that path).
        for sql in inserts:
            assert re.search(r'SELECT .* FROM "bzpeer_load_', sql), sql[:200]
