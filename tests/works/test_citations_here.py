"""Cited by and Cites, within bzpeer (works/citations.py, on the work's page), on the recorded
OpenAlex works: several of them cite each other (W1970127494 is cited by three), so the lists
are checked against the referenced_works of the fixture JSON, no record edited."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import OPENALEX
from works.citations import attach_citing_counts, cited_works, citing_works
from works.importers.openalex import import_works
from works.models import Work, WorkReference

pytestmark = pytest.mark.django_db


def bare(url: str) -> str:
    return url.removeprefix("https://openalex.org/")


@pytest.fixture
def recorded() -> dict[str, dict]:
    """Every recorded work, imported; {OpenAlex id: record}."""
    raws = {}
    for path in sorted(OPENALEX.glob("work*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        works = data.get("results", [data])
        import_works(works)
        raws.update({bare(w["id"]): w for w in works})
    return raws


def expected(raws: dict[str, dict], oid: str) -> tuple[set[str], set[str]]:
    """(the recorded works citing oid, the recorded works oid cites), from the JSON."""
    cited_by = {
        other for other, raw in raws.items() if oid in {bare(r) for r in raw["referenced_works"]}
    }
    cites = {bare(r) for r in raws[oid]["referenced_works"]} & set(raws)
    return cited_by, cites


def ids(works) -> set[str]:
    return {w.openalex_id for w in works}


def test_every_recorded_work_lists_the_recorded_works_it_cites_and_that_cite_it(recorded):
    linked = 0
    for oid in recorded:
        work = Work.objects.get(openalex_id=oid)
        cited_by, cites = expected(recorded, oid)
        assert ids(citing_works(work)) == cited_by, oid
        assert ids(cited_works(work)) == cites, oid
        linked += len(cites)
    assert linked >= 20  # the fixtures hold twenty citations between recorded works


def test_the_work_page_links_the_three_works_that_cite_it(client, recorded):
    work = Work.objects.get(openalex_id="W1970127494")
    cited_by, cites = expected(recorded, "W1970127494")
    assert cited_by == {"W2083222334", "W1979544533", "W2007395042"}

    html = client.get(f"/works/{work.pk}/").content.decode()

    section = re.search(r'id="cited-by-heading">.*?</section>', html, re.S)[0]
    linked = {int(pk) for pk in re.findall(r'href="/works/(\d+)/"', section)}
    assert linked == set(Work.objects.filter(openalex_id__in=cited_by).values_list("pk", flat=True))
    cites_section = re.search(r'id="cites-heading">.*?</section>', html, re.S)[0]
    assert len(re.findall(r'href="/works/\d+/"', cites_section)) == len(cites)


def test_a_citing_work_links_the_works_it_cites(client, recorded):
    work = Work.objects.get(openalex_id="W1979544533")
    _, cites = expected(recorded, "W1979544533")
    assert cites == {"W1970127494", "W2007395042", "W2083222334"}

    html = client.get(f"/works/{work.pk}/").content.decode()

    section = re.search(r'id="cites-heading">.*?</section>', html, re.S)[0]
    for cited in Work.objects.filter(openalex_id__in=cites):
        assert f'href="/works/{cited.pk}/"' in section


def test_a_hidden_citing_work_is_not_listed(recorded):
    Work.objects.filter(openalex_id="W2083222334").update(is_hidden=True)

    work = Work.objects.get(openalex_id="W1970127494")

    assert ids(citing_works(work)) == {"W1979544533", "W2007395042"}


def test_each_list_is_one_query_whatever_its_length(recorded):
    work = Work.objects.get(openalex_id="W1970127494")

    with CaptureQueriesContext(connection) as queries:
        assert len(list(citing_works(work))) == 3
    assert len(queries.captured_queries) == 1
    with CaptureQueriesContext(connection) as queries:
        list(cited_works(work))
    assert len(queries.captured_queries) == 1


def test_a_page_of_works_gets_each_ones_citing_count_in_one_query(recorded):
    works = list(Work.objects.order_by("pk"))

    with CaptureQueriesContext(connection) as queries:
        attach_citing_counts(works)

    assert len(queries.captured_queries) == 1
    for work in works:
        cited_by, _ = expected(recorded, work.openalex_id)
        assert work.citing_count == len(cited_by), work.openalex_id
    assert {w.openalex_id: w.citing_count for w in works}["W1970127494"] == 3


def test_a_hidden_citing_work_is_not_counted_and_works_without_an_openalex_id_cost_nothing(
    recorded,
):
    Work.objects.filter(openalex_id="W2083222334").update(is_hidden=True)
    [cited] = attach_citing_counts([Work.objects.get(openalex_id="W1970127494")])
    assert cited.citing_count == 2

    curated = [Work(title="A curated work"), Work(title="Another")]
    with CaptureQueriesContext(connection) as queries:
        attach_citing_counts(curated)
    assert len(queries.captured_queries) == 0
    assert [w.citing_count for w in curated] == [0, 0]


def reference_indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'works_workreference'"
        )
        return dict(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes and plans")
def test_references_carry_three_indexes_and_both_lookups_use_one(recorded):
    """The import writes about 30 reference rows a work, one index write each per index: the
    key, the unique pair (which serves "what does this work cite"), and the cited id (which
    serves "who cites this work"); no separate work index, no LIKE pattern index."""
    indexes = reference_indexes()
    assert len(indexes) == 3, sorted(indexes)
    columns = sorted(re.search(r"\((.*)\)", definition)[1] for definition in indexes.values())
    assert columns == ["cited_openalex_id", "id", "work_id, cited_openalex_id"]

    work = Work.objects.get(openalex_id="W1970127494")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the plan a big table gets
    for queryset, index in [
        (WorkReference.objects.filter(cited_openalex_id=work.openalex_id), "workreference_cited"),
        (WorkReference.objects.filter(work=work), "workreference_unique"),
    ]:
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert re.search(rf"Index (Only )?Scan (using|on) {index}\b", plan), plan
