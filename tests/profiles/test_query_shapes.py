"""The profile's works and the home page read the researcher's own rows, not whole tables
(PostgreSQL's plans): their cost follows one researcher's works, not the size of the database."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.publications import entry_counts, listed_works
from tests.factories import ResearcherFactory, SourceFactory
from works.models import Authorship, Researcher, Work

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def analyze():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE works_work, works_authorship, profiles_researcher")


def others_works(n: int) -> None:
    """Works of other people, many more than the researcher's: what a big database holds."""
    source = SourceFactory()
    people = Researcher.objects.bulk_create(
        Researcher(display_name=f"Other {i}", listed_works_count=i % 50) for i in range(500)
    )
    works = Work.objects.bulk_create(
        Work(title=f"Other work {i}", publication_year=1990 + i % 30, source=source)
        for i in range(n)
    )
    Authorship.objects.bulk_create(
        Authorship(work=work, researcher=people[i % len(people)], order=0)
        for i, work in enumerate(works)
    )


def scans(plan: str) -> list[tuple[str, str]]:
    return re.findall(
        r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan|Bitmap Index Scan)"
        r" (?:using \S+ )?on (\w+)",
        plan,
    )


@pytest.mark.parametrize("statistics", ["stale", "fresh"])
def test_the_listed_works_start_from_the_researchers_authorships(statistics):
    researcher = ResearcherFactory()
    mine = Work.objects.bulk_create(Work(title=f"Mine {i}") for i in range(12))
    Authorship.objects.bulk_create(Authorship(work=w, researcher=researcher, order=0) for w in mine)
    if statistics == "stale":
        analyze()  # statistics of small tables, as a test database or a first bulk load has
    others_works(5000)
    if statistics == "fresh":
        analyze()

    plan = explain(listed_works(researcher.pk))
    found = scans(plan)
    # The researcher's work ids come first, then the works by id: whatever the statistics say,
    # the works table is never scanned or hashed whole.
    assert ("Seq Scan", "works_work") not in found, plan
    assert re.search(r"Index Cond: \(id = ANY \(\$\d+\)\)", plan), plan
    assert f"researcher_id = {researcher.pk}" in plan
    if statistics == "fresh":
        # Knowing the table's size, the planner reads the ids from the authorships index. (On
        # a table of a few thousand rows believed to be one researcher's, a scan is cheaper.)
        assert ("Seq Scan", "works_authorship") not in found, plan
    assert len(listed_works(researcher.pk)) == 12
    assert entry_counts(researcher.pk) == (12, 0)


def test_the_home_page_orders_by_the_stored_count_without_counting_works(client):
    others_works(3000)
    analyze()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    listing = [
        q["sql"] for q in queries if "ORDER BY" in q["sql"] and "profiles_researcher" in q["sql"]
    ]
    assert listing, [q["sql"] for q in queries]
    for sql in listing:
        # Nothing is counted per request: the list reads researchers (and their institution).
        assert "works_authorship" not in sql and "works_work" not in sql, sql
        assert '"listed_works_count" DESC' in sql
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "works_work" not in plan and "works_authorship" not in plan, plan
