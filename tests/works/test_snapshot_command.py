"""``manage.py import_openalex_snapshot`` on good and broken files."""

import gzip
import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.conftest import OPENALEX
from works.models import Authorship, Institution, Researcher, Source, Topic, Work

MEARMAN_WORKS = OPENALEX / "works-by-A5017898742-per_page50.json"


def load(name: str) -> dict:
    return json.loads((OPENALEX / name).read_text(encoding="utf-8"))


def jsonl(entities: list) -> str:
    return "".join(json.dumps(e) + "\n" for e in entities)


def run(*paths, **options) -> str:
    out = io.StringIO()
    call_command("import_openalex_snapshot", *map(str, paths), stdout=out, **options)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return Work.objects.count(), Researcher.objects.count(), Authorship.objects.count()


@pytest.fixture
def mixed_jsonl(tmp_path):
    """Works first, then their author's record: the command still imports the author first."""
    works = load(MEARMAN_WORKS.name)["results"]
    path = tmp_path / "part_000.jsonl"
    path.write_text(jsonl([*works, load("author-A5017898742.json")]), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_it_imports_json_lines_authors_before_works_and_a_second_run_changes_nothing(mixed_jsonl):
    output = run(mixed_jsonl)

    assert output.index("authors 1/1") < output.index("works 9/9")
    assert "done: created 10, updated 0, unchanged 0" in output
    mearman = Researcher.objects.get(openalex_id="A5017898742")
    assert mearman.last_known_institution.display_name == "Bangor University"
    assert Work.objects.filter(authorships__researcher=mearman).count() == 9
    before = counts()

    again = run(mixed_jsonl)

    assert "done: created 0, updated 0, unchanged 10" in again
    assert counts() == before


@pytest.mark.django_db
def test_it_imports_gzipped_json_lines(tmp_path, mixed_jsonl):
    path = tmp_path / "part_000.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(mixed_jsonl.read_text(encoding="utf-8"))

    output = run(path, batch_size=4)

    assert "works 4/9" in output and "works 9/9" in output
    assert Work.objects.count() == 9


@pytest.mark.django_db
def test_it_imports_recorded_list_pages_and_single_entities():
    output = run(
        OPENALEX / "authors-page1-per_page50.json",
        MEARMAN_WORKS,
        OPENALEX / "work-W2741809807.json",
        OPENALEX / "author-A5023888391.json",
    )

    assert Work.objects.count() == 10
    assert Researcher.objects.get(openalex_id="A5023888391").display_name == "Jason Priem"
    assert output.count("done:") == 4


@pytest.mark.django_db
def test_a_list_page_on_one_line_inside_json_lines_is_expanded(tmp_path):
    path = tmp_path / "pages.jsonl"
    path.write_text(jsonl([load(MEARMAN_WORKS.name), load("work-W2741809807.json")]))

    run(path)

    assert Work.objects.count() == 10


# Broken files ----------------------------------------------------------------------------------


def broken_lines(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


GOOD = [json.dumps(w) for w in load(MEARMAN_WORKS.name)["results"][:3]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lines", "where", "problem"),
    [
        ([*GOOD, GOOD[0][:200]], "line 4", "not valid JSON"),  # truncated last line
        ([GOOD[0], "this is not json", *GOOD[1:]], "line 2", "not valid JSON"),
        ([*GOOD, json.dumps({"display_name": "no id"})], "line 4", "has no id"),
        ([*GOOD[:2], json.dumps({"id": "https://openalex.org/Q1"}), GOOD[2]], "line 3", "id"),
        ([GOOD[0], "", "[1, 2]"], "line 3", "JSON object"),
    ],
    ids=["truncated", "non-json-line", "no-id", "bad-id", "not-an-object"],
)
def test_a_broken_file_names_file_and_line_and_imports_nothing(tmp_path, lines, where, problem):
    path = broken_lines(tmp_path, "broken.jsonl", lines)

    with pytest.raises(CommandError) as error:
        run(path)

    message = str(error.value)
    assert f"{path}, {where}:" in message
    assert problem in message
    assert "nothing imported" in message
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_a_truncated_gzip_file_imports_nothing(tmp_path, mixed_jsonl):
    whole = gzip.compress(mixed_jsonl.read_bytes())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])

    with pytest.raises(CommandError, match=r"cut\.jsonl\.gz, line \d+: unreadable"):
        run(path)

    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_a_truncated_recorded_page_names_the_line(tmp_path):
    text = MEARMAN_WORKS.read_text(encoding="utf-8")
    path = tmp_path / "page.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    expected_line = text[: len(text) // 2].count("\n") + 1

    with pytest.raises(CommandError, match=rf"page\.json, line {expected_line}: not valid JSON"):
        run(path)

    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_a_recorded_page_with_a_bad_entity_names_it_and_imports_nothing(tmp_path):
    page = load(MEARMAN_WORKS.name)
    del page["results"][2]["id"]
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page, indent=2), encoding="utf-8")

    with pytest.raises(CommandError, match=r"results\[2\]: OpenAlex entity has no id"):
        run(path)

    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_good_files_are_imported_and_the_bad_one_is_not_and_the_command_fails(tmp_path):
    good = tmp_path / "good.json"
    shutil.copy(OPENALEX / "work-W2741809807.json", good)
    bad = broken_lines(tmp_path, "bad.jsonl", [GOOD[0], "{"])

    with pytest.raises(CommandError) as error:
        run(bad, good, tmp_path / "missing.jsonl")

    assert "bad.jsonl, line 2" in str(error.value)
    assert "missing.jsonl: no such file" in str(error.value)
    assert list(Work.objects.values_list("openalex_id", flat=True)) == ["W2741809807"]


@pytest.mark.django_db
@pytest.mark.parametrize("content", ["", "\n\n", '{"meta": {}, "results": []}'])
def test_an_empty_file_is_an_error_not_a_success(tmp_path, content):
    path = tmp_path / "empty.jsonl"
    path.write_text(content)

    with pytest.raises(CommandError, match=r"empty\.jsonl: no entities in this file"):
        run(path)


@pytest.mark.django_db
def test_institutions_sources_and_topics_are_imported_and_other_kinds_skipped(tmp_path):
    """Snapshot lines of other entity kinds, here shaped as the recorded work nests them."""
    work = load("work-W3188841554.json")
    institution = work["authorships"][0]["institutions"][0]
    source = work["primary_location"]["source"]
    topic = work["topics"][0]
    concept = work["concepts"][0]
    path = tmp_path / "other-kinds.jsonl"
    path.write_text(jsonl([concept, topic, source, institution]), encoding="utf-8")

    output = run(path)
    again = run(path)

    assert "done: created 3, updated 0, unchanged 0, skipped 1" in output
    assert "done: created 0, updated 0, unchanged 3, skipped 1" in again
    bangor = Institution.objects.get(openalex_id="I161548249")
    assert (bangor.ror, bangor.type) == ("006jb1a24", "funder")
    assert Source.objects.get(openalex_id="S4306400194").type == "repository"
    assert Topic.objects.get(openalex_id="T10799").parent.openalex_id == "subfields/1707"


@pytest.mark.django_db
def test_a_snapshot_directory_imports_its_part_files_and_ignores_the_manifest(tmp_path):
    works_dir = tmp_path / "data" / "works" / "updated_date=2025-09-17"
    authors_dir = tmp_path / "data" / "authors" / "updated_date=2025-09-21"
    works_dir.mkdir(parents=True)
    authors_dir.mkdir(parents=True)
    (works_dir / "part_000.gz").write_bytes(
        gzip.compress(jsonl(load(MEARMAN_WORKS.name)["results"]).encode())
    )
    (authors_dir / "part_000.gz").write_bytes(
        gzip.compress(jsonl([load("author-A5017898742.json")]).encode())
    )
    (tmp_path / "data" / "works" / "manifest").write_text('{"entries": []}')

    output = run(tmp_path / "data")

    assert output.index("authors/") < output.index("works/")
    assert Work.objects.count() == 9
    assert Researcher.objects.get(openalex_id="A5017898742").h_index == 2


@pytest.mark.django_db
def test_a_line_whose_leading_id_is_not_its_id_imports_nothing(tmp_path):
    """The counting pass reads a line's leading "id" without parsing; JSON keeps the last
    duplicate key, so the import pass sees another entity and refuses the file."""
    path = broken_lines(
        tmp_path,
        "dup.jsonl",
        [GOOD[0], '{"id": "https://openalex.org/W1", "id": "https://openalex.org/A1"}'],
    )

    with pytest.raises(CommandError, match="entities differ between reads"):
        run(path)

    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_defer_search_indexes_imports_as_usual_and_keeps_them_where_it_cannot_defer(mixed_jsonl):
    output = run(mixed_jsonl, defer_search_indexes=True)

    assert "done: created 10, updated 0, unchanged 0" in output
    if connection.vendor == "sqlite":
        assert "nothing to defer on this database" in output
    else:  # a test runs in a transaction (see test_snapshot_indexes.py for the real thing)
        assert "cannot defer them inside a transaction" in output


def test_the_command_needs_a_path_unless_it_only_rebuilds_search_indexes():
    with pytest.raises(CommandError, match="at least one PATH"):
        run()
