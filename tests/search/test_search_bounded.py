"""Search reads bounded text through its indexes: one hostile record (a title of a megabyte, a
name with a megabyte of variants) costs a search no more than a real record does."""

import random
import re
import time

import pytest
from django.db import connection

from profiles.search import search_page_context
from works.models import Researcher, Work
from works.search import (
    SEARCHED_ABSTRACT_CHARS,
    SEARCHED_TITLE_CHARS,
    researchers_matching,
    works_matching,
)

pytestmark = pytest.mark.django_db

MEGABYTE_TITLE = "tangible " * 116_509  # 1,048,581 characters
MEGABYTE_ABSTRACT = "papercraft education " * 49_933
WORDS = ["visual", "graph", "network", "learning", "paper", "data", "model", "system", "survey"]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def hostile_work():
    return Work.objects.create(title=MEGABYTE_TITLE, abstract=MEGABYTE_ABSTRACT)


@pytest.fixture
def hostile_researcher():
    return Researcher.objects.create(
        display_name="Quillon Hostile", display_name_alternatives=["Q. Hostile " * 10] * 10_000
    )


def ordinary_works(count: int) -> None:
    rng = random.Random(4)
    Work.objects.bulk_create(
        Work(
            title=" ".join(rng.choice(WORDS) for _ in range(8)) + f" {i}",
            abstract=" ".join(rng.choice(WORDS) for _ in range(120)),
        )
        for i in range(count)
    )


def where_and_order(sql: str) -> str:
    """The part of a query after its select list: what it filters, joins and sorts on."""
    return sql.split(" FROM ", 1)[1]


def plan(query: tuple[str, tuple]) -> str:
    """PostgreSQL's plan for the query when reading a whole table is its last resort. On a few
    thousand rows that is cheap enough that the planner may choose it; on a real database it
    takes the indexes, and can only if every searched expression is exactly an indexed one."""
    sql, params = query
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        explained = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
    return explained


def sql_of(queryset) -> tuple[str, tuple]:
    # Helpers take SQL, never a queryset: pytest prints the arguments of a failing frame, and
    # printing a queryset runs it, which unbounded may not end at all (PostgreSQL cannot cancel
    # word_similarity() over a megabyte).
    return queryset.query.sql_with_params()


def assert_bounded(query: tuple[str, tuple]) -> None:
    """Checks the SQL before the query runs, so that unbounded it fails fast."""
    searched = where_and_order(query[0])
    assert '"abstract"' not in searched
    assert '"title"' not in searched
    for column in re.findall(r"works_work\.(title|abstract)\b", searched):
        assert column in {"title", "abstract"}
    assert not re.search(r"(?<!substr\()works_work\.(title|abstract)\b", searched)
    if is_postgres():
        assert "abstract" not in searched  # the stored document stands for it
    else:
        assert f"substr(works_work.abstract, 1, {SEARCHED_ABSTRACT_CHARS})" in searched
    assert f"substr(works_work.title, 1, {SEARCHED_TITLE_CHARS})" in searched


def test_the_work_search_compares_only_bounded_text(hostile_work):
    assert_bounded(sql_of(works_matching("tangible papercraft")))


def test_a_search_matching_a_megabyte_title_answers_quickly(hostile_work, hostile_researcher):
    ordinary_works(200)
    assert_bounded(sql_of(works_matching("tangible")))
    started = time.monotonic()

    context, status = search_page_context("tangible")
    hostile_names = list(researchers_matching("Hostile"))

    assert time.monotonic() - started < 5
    assert status == 200
    assert hostile_work in context["works"]
    assert hostile_names == [hostile_researcher]


def test_a_word_only_past_the_searched_part_of_a_title_is_not_found(hostile_work):
    hostile_work.title = "x " * SEARCHED_TITLE_CHARS + "zyzzogeton"
    hostile_work.abstract = ""
    hostile_work.save()
    assert list(works_matching("zyzzogeton")) == []


@pytest.mark.skipif(not is_postgres(), reason="the search indexes are PostgreSQL's")
def test_postgresql_can_answer_a_work_search_from_the_indexes_without_reading_abstracts(
    hostile_work,
):
    ordinary_works(1000)
    Work.objects.create(title="Tangible papercraft visualisations for education")

    explained = plan(sql_of(works_matching("papercraft visualisations")))

    assert "Bitmap Index Scan on works_work_search_document" in explained, explained
    assert "Bitmap Index Scan on works_work_title_bounded_trgm" in explained
    assert "Seq Scan" not in explained
    assert "abstract" not in explained


@pytest.mark.skipif(not is_postgres(), reason="the search indexes are PostgreSQL's")
def test_postgresql_can_answer_a_name_search_from_the_bounded_name_index(hostile_researcher):
    Researcher.objects.bulk_create(
        Researcher(display_name=f"Person {i} {WORDS[i % len(WORDS)]}") for i in range(1000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE profiles_researcher")

    # All records, not only canonical ones: the name index is then the only one that applies.
    explained = plan(sql_of(researchers_matching("Quillon", Researcher.objects.all())))

    assert "Bitmap Index Scan on profiles_researcher_name_bounded_trgm" in explained, explained
    assert "Seq Scan" not in explained
