"""``import_openalex_snapshot --defer-search-indexes``: the search indexes are dropped for the load
and come back exactly as they were, after a good import and after a failed one."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.conftest import OPENALEX
from works.importers import search_indexes
from works.importers.openalex import IMPORTERS
from works.models import Work
from works.search import works_matching

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the search indexes exist only on PostgreSQL (SQLite searches without them)",
    ),
    # Real commits: the indexes are dropped and rebuilt outside any test transaction.
    pytest.mark.django_db(transaction=True),
]

WORKS = json.loads((OPENALEX / "works-by-A5017898742-per_page50.json").read_text())["results"]


def search_index_definitions() -> dict[str, str]:
    """Every index on the searched tables over folded text or the stored search document, from
    pg_indexes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename IN ('works_work', 'profiles_researcher') "
            "AND (indexdef LIKE '%%bzpeer_fold%%' OR indexdef LIKE '%%(search_document)%%')"
        )
        return dict(cursor.fetchall())


def run(*paths, **options) -> str:
    out = io.StringIO()
    call_command(
        "import_openalex_snapshot", *map(str, paths), stdout=out, stderr=io.StringIO(), **options
    )
    return out.getvalue()


def write_jsonl(path, lines: list[str]):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def before():
    definitions = search_index_definitions()
    assert set(definitions) == set(search_indexes.SEARCH_INDEXES)
    assert len(definitions) == 3
    return definitions


def test_a_deferred_import_rebuilds_the_same_search_indexes_and_search_finds_the_work(
    tmp_path, before
):
    path = write_jsonl(tmp_path / "works.jsonl", [json.dumps(w) for w in WORKS])

    output = run(path, defer_search_indexes=True)

    assert "Search indexes dropped for the load" in output
    assert "done: created 9" in output
    assert search_index_definitions() == before
    work = Work.objects.get(openalex_id=WORKS[0]["id"].rsplit("/", 1)[1])
    title_word = max(work.title.split(), key=len)
    assert work in works_matching(title_word)


def test_a_file_that_breaks_mid_import_leaves_the_search_indexes_in_place(tmp_path, before):
    good = write_jsonl(tmp_path / "a_good.jsonl", [json.dumps(w) for w in WORKS[:3]])
    # The first read only classifies lines by their leading id; the import pass finds the
    # broken JSON, after the indexes were dropped and the good file was loaded.
    broken = write_jsonl(
        tmp_path / "b_broken.jsonl",
        [json.dumps(WORKS[3]), '{"id": "https://openalex.org/W1", "title": oops'],
    )

    with pytest.raises(CommandError, match=r"b_broken\.jsonl, line 2: not valid JSON"):
        run(good, broken, defer_search_indexes=True)

    assert search_index_definitions() == before
    assert Work.objects.count() == 3  # the good file, and nothing of the broken one


def test_an_unexpected_error_during_the_load_still_rebuilds_them(tmp_path, before, monkeypatch):
    path = write_jsonl(tmp_path / "works.jsonl", [json.dumps(w) for w in WORKS[:2]])

    def crash(works):
        assert search_index_definitions() == {}  # dropped while loading
        raise RuntimeError("disk full")

    monkeypatch.setitem(IMPORTERS, "work", crash)

    with pytest.raises(RuntimeError, match="disk full"):
        run(path, defer_search_indexes=True)

    assert search_index_definitions() == before


def test_rebuild_search_indexes_restores_what_a_killed_import_left_missing(before):
    search_indexes.drop()  # as if the process died before its rebuild
    assert search_index_definitions() == {}

    output = run(rebuild_search_indexes=True)

    assert "Search indexes recreated" in output
    assert search_index_definitions() == before
    assert "none were missing" in run(rebuild_search_indexes=True)


def test_a_plain_import_warns_when_search_indexes_are_missing(tmp_path, before):
    path = write_jsonl(tmp_path / "works.jsonl", [json.dumps(WORKS[0])])
    search_indexes.drop()
    err = io.StringIO()
    try:
        call_command("import_openalex_snapshot", str(path), stdout=io.StringIO(), stderr=err)
    finally:
        search_indexes.restore_missing()

    assert "--rebuild-search-indexes" in err.getvalue()
    assert search_index_definitions() == before


def test_a_deferred_import_after_a_killed_one_builds_the_missing_indexes_too(tmp_path, before):
    path = write_jsonl(tmp_path / "works.jsonl", [json.dumps(WORKS[0])])
    search_indexes.drop()  # the killed import's drop, never followed by its rebuild

    output = run(path, defer_search_indexes=True)

    assert "Search indexes dropped for the load: none" in output
    assert search_index_definitions() == before


def test_the_index_statements_are_those_the_search_migrations_leave():
    """``search_indexes.STATEMENTS`` says what the migrations create, read in order (a later
    DROP INDEX retires an earlier index): no runtime code parses migrations."""
    import importlib
    import re

    create = re.compile(r"^\s*CREATE\s+INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)
    drop = re.compile(r"^\s*DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?(\w+)", re.IGNORECASE)
    left = {}
    for name in ("0002_search", "0003_bounded_search"):
        for statement in importlib.import_module(f"profiles.migrations.{name}").FORWARD:
            if found := create.match(statement):
                left[found.group(1)] = " ".join(statement.split())
            elif found := drop.match(statement):
                left.pop(found.group(1), None)
    assert left == search_indexes.STATEMENTS
