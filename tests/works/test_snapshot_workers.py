"""``import_openalex_snapshot --workers N``: worker processes prepare the batches, the rows
written are those of an import in one process, and a bad line still imports nothing."""

import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import DateTimeField, ForeignKey

from tests.conftest import OPENALEX
from works.importers import snapshot
from works.models import (
    Authorship,
    Institution,
    Researcher,
    Source,
    Topic,
    Work,
    WorkReference,
    WorkTopic,
)

pytestmark = pytest.mark.django_db

RECORDED_WORKS = OPENALEX / "works-page1-per_page50.json"
# 50 works in batches of 10: five batches to spread over the workers.
BATCH_SIZE = 10
IMPORTED = [Institution, Source, Topic, Researcher, Work, Authorship, WorkTopic, WorkReference]


@pytest.fixture
def works_jsonl(tmp_path) -> Path:
    works = json.loads(RECORDED_WORKS.read_text(encoding="utf-8"))["results"]
    path = tmp_path / "works.jsonl"
    path.write_text("".join(json.dumps(w) + "\n" for w in works), encoding="utf-8")
    return path


def run(path, **options) -> str:
    out = io.StringIO()
    call_command(
        "import_openalex_snapshot", str(path), batch_size=BATCH_SIZE, stdout=out, **options
    )
    return out.getvalue()


def natural_rows(model) -> list[tuple]:
    """Every row of the model, without its pk or times: a foreign key to an OpenAlex record
    is read as that record's OpenAlex id, an authorship's institutions by work and order."""
    names = []
    for field in model._meta.concrete_fields:
        if field.primary_key or isinstance(field, DateTimeField):
            continue  # the pk, and when a row was written or scored
        if isinstance(field, ForeignKey) and hasattr(field.related_model, "openalex_id"):
            names.append(f"{field.name}__openalex_id")
        else:
            names.append(field.attname)
    rows = [tuple(repr(v) for v in row) for row in model.objects.values_list(*names)]
    if model is Authorship:
        links = Authorship.institutions.through.objects.values_list(
            "authorship__work__openalex_id", "authorship__order", "institution__openalex_id"
        )
        rows += [("link", *map(repr, link)) for link in links]
    return sorted(rows)


def imported_rows() -> dict[str, list[tuple]]:
    return {model.__name__: natural_rows(model) for model in IMPORTED}


def forget_imported_rows() -> None:
    for model in reversed(IMPORTED):
        model.objects.all().delete()


# Where the spy below notes the process it ran in (module level: the pool pickles functions
# by name, and a worker forked after the patch runs the spy).
SPY_LOG: list[Path] = []


def spying_prepare_chunk(path, kind, chunk):
    with SPY_LOG[0].open("a") as log:
        log.write(f"{os.getpid()}\n")
    return PREPARE_CHUNK(path, kind, chunk)


PREPARE_CHUNK = snapshot._prepare_chunk


def test_two_workers_write_the_rows_one_process_writes(works_jsonl, tmp_path, monkeypatch):
    one = run(works_jsonl, workers=1)
    alone = imported_rows()
    assert len(alone["Work"]) == 50 and alone["Authorship"] and alone["WorkTopic"]
    forget_imported_rows()
    SPY_LOG[:] = [tmp_path / "pids.log"]
    monkeypatch.setattr(snapshot, "_prepare_chunk", spying_prepare_chunk)

    two = run(works_jsonl, workers=2)

    assert imported_rows() == alone
    assert "works.jsonl: done: created 50, updated 0, unchanged 0, skipped 0" in one
    assert "works.jsonl: done: created 50, updated 0, unchanged 0, skipped 0" in two
    # The batches were prepared in other processes, each batch shared by the two workers.
    pids = SPY_LOG[0].read_text().split()
    assert len(pids) == 10
    assert str(os.getpid()) not in pids
    # And a second run with workers finds nothing to change.
    assert "created 0, updated 0, unchanged 50, skipped 0" in run(works_jsonl, workers=2)
    assert imported_rows() == alone


def test_with_workers_a_bad_line_in_a_later_batch_names_it_and_imports_nothing(works_jsonl):
    lines = works_jsonl.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[36] = '{"id": "https://openalex.org/W1", "title": oops\n'
    works_jsonl.write_text("".join(lines), encoding="utf-8")

    with pytest.raises(CommandError, match=r"works\.jsonl, line 37: not valid JSON"):
        run(works_jsonl, workers=2)

    assert not Work.objects.exists()
    assert not Researcher.objects.exists()


def test_with_workers_a_wrong_typed_field_names_its_line(works_jsonl):
    lines = works_jsonl.read_text(encoding="utf-8").splitlines(keepends=True)
    work = json.loads(lines[23])
    work["publication_year"] = "2020"
    lines[23] = json.dumps(work) + "\n"
    works_jsonl.write_text("".join(lines), encoding="utf-8")

    with pytest.raises(CommandError, match=r"works\.jsonl, line 24: .*publication_year"):
        run(works_jsonl, workers=2)

    assert not Work.objects.exists()


def test_workers_must_be_at_least_one(works_jsonl):
    with pytest.raises(CommandError, match="--workers must be at least 1"):
        run(works_jsonl, workers=0)


def test_a_work_repeated_in_another_workers_part_of_the_batch_is_skipped_once(works_jsonl):
    lines = works_jsonl.read_text(encoding="utf-8").splitlines(keepends=True)
    # Lines 1 and 10 are in the first batch, in the first and the second worker's part.
    lines[9] = lines[0]
    works_jsonl.write_text("".join(lines), encoding="utf-8")

    output = run(works_jsonl, workers=2)

    assert "works.jsonl: done: created 49, updated 0, unchanged 0, skipped 1" in output
    assert Work.objects.count() == 49
