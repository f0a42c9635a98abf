"""Import files of OpenAlex entities: the snapshot's JSON Lines (optionally gzipped, one entity
per line) or a recorded API response (a list page ``{"meta": .., "results": [..]}`` or a single
entity).

A file is read first to count its entities by kind, then once per kind to import them in batches
inside one transaction. Every entity is checked on the way in (valid JSON, an entity with a valid
OpenAlex id, and for the kinds imported, fields of the types ``works.importers.schemas``
declares), so a broken file imports nothing, and the error names the file, the line and the
field. Within a file, institutions, sources and topics come first, then authors, then works, so
that authorships find the full author records. Other kinds (concepts, publishers, funders) are
counted as skipped. A file with no entity at all is an error (a truncated download, a wrong
path), not a successful import of nothing.
"""

import gzip
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import orjson
from django.db import transaction

from works.importers import search_indexes
from works.importers.openalex import IMPORTERS, ImportStats
from works.importers.openalex_records import entity_kind, kind_of_id, normalise_openalex_id
from works.importers.schemas import OPENALEX_SHAPES, ShapeError, checked, decoded

DEFAULT_BATCH_SIZE = 1000
# A snapshot line opens with the entity's id: {"id": "https://openalex.org/W...", ...
_LEADING_ID = re.compile(r'\s*\{\s*"id"\s*:\s*"([^"\\]*)"')


class SnapshotError(ValueError):
    """A file that cannot be imported, with where the problem is."""

    def __init__(self, path, where: str | None, problem: str):
        self.path, self.where, self.problem = str(path), where, problem
        super().__init__(f"{path}, {where}: {problem}" if where else f"{path}: {problem}")


def _open_text(path: Path):
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if gzipped:
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return path.open(encoding="utf-8-sig")


def iter_entities(
    path, *, quick: bool = False, kind: str | None = None
) -> Iterator[tuple[str, object, str]]:
    """Yield (where, entity, kind) for every entity in the file; SnapshotError on the first
    problem. ``where`` is "line N" (or "results[i]" inside a multi-line recorded page).

    quick=True only counts: a snapshot line that opens with its "id" is classified from that
    id without being parsed (entity None). With ``kind``, such a line of another kind is passed
    over the same way (its own pass checks it); every other line is parsed and checked."""
    path = Path(path)
    if not path.is_file():
        raise SnapshotError(path, None, "no such file")
    line_no = 0
    try:
        with _open_text(path) as handle:
            first = ""
            for line in handle:
                line_no += 1
                if line.strip():
                    first = line
                    break
            if not first:
                return
            if not _LEADING_ID.match(first):
                try:
                    orjson.loads(first)
                except orjson.JSONDecodeError:
                    # Not one entity per line: a pretty-printed recorded response.
                    yield from _document_entities(path, first + handle.read(), line_no)
                    return
            yield from _line_entities(path, line_no, first, quick, kind)
            for line in handle:
                line_no += 1
                if line.strip():
                    yield from _line_entities(path, line_no, line, quick, kind)
    except (EOFError, OSError, zlib.error) as exc:
        raise SnapshotError(path, f"line {line_no + 1}", f"unreadable (truncated?): {exc}") from exc
    except UnicodeDecodeError as exc:
        raise SnapshotError(path, f"line {line_no + 1}", "not UTF-8 text") from exc


def _line_entities(path, line_no: int, line: str, quick: bool = False, only: str | None = None):
    where = f"line {line_no}"
    if leading := _LEADING_ID.match(line):
        try:
            kind = kind_of_id(normalise_openalex_id(leading.group(1)))
        except ValueError as exc:
            raise SnapshotError(path, where, str(exc)) from exc
        if quick or (only and kind != only):
            yield where, None, kind
            return
        if shape := OPENALEX_SHAPES.get(kind):
            # Straight into its shape: checked, and faster than decoding the whole entity
            # (msgspec skips the fields no importer reads without building them).
            try:
                data = decoded(line, shape)
            except ShapeError as exc:
                raise SnapshotError(path, where, str(exc)) from exc
            except msgspec.DecodeError as exc:
                raise SnapshotError(path, where, f"not valid JSON ({exc})") from exc
            try:
                kind = entity_kind({"id": data.id or None})
            except ValueError as exc:
                raise SnapshotError(path, where, str(exc)) from exc
            # The importers take a record of its shape as checked already.
            yield where, data, kind
            return
    try:
        # orjson, not the json module: twice as fast, and it refuses JSON nested deeper than
        # 1024 levels with an error instead of a RecursionError.
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise SnapshotError(path, where, f"not valid JSON ({exc.msg})") from exc
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        for index, entity in enumerate(data["results"]):
            yield _checked(path, f"{where}, results[{index}]", entity)
    else:
        yield _checked(path, where, data)


def _document_entities(path, text: str, first_line: int):
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        where = f"line {first_line + exc.lineno - 1}"
        raise SnapshotError(path, where, f"not valid JSON ({exc.msg})") from exc
    if isinstance(data, dict) and "results" in data:
        if not isinstance(data["results"], list):
            raise SnapshotError(path, f"line {first_line}", '"results" is not a list')
        for index, entity in enumerate(data["results"]):
            yield _checked(path, f"results[{index}]", entity)
    elif isinstance(data, list):
        for index, entity in enumerate(data):
            yield _checked(path, f"item {index + 1}", entity)
    else:
        yield _checked(path, f"line {first_line}", data)


def _checked(path, where: str, entity) -> tuple[str, object, str]:
    """(where, the entity checked against its shape, kind); SnapshotError naming the field."""
    try:
        kind = entity_kind(entity)
        if shape := OPENALEX_SHAPES.get(kind):
            entity = checked(entity, shape)
    except ValueError as exc:
        raise SnapshotError(path, where, str(exc)) from exc
    return where, entity, kind


def import_snapshot_file(
    path,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[str], None] | None = None,
    defer_search_indexes: bool = False,
) -> ImportStats:
    """Check then import one file, all or nothing. Raises SnapshotError for a bad file (nothing
    imported). A second run reports every entity unchanged.

    defer_search_indexes=True (PostgreSQL; call it outside a transaction): drop the search
    indexes for the load and rebuild them after it, also when it fails (see
    ``works.importers.search_indexes``). For several files, wrap them all in
    ``search_indexes.deferred()`` instead, as the command does."""
    if defer_search_indexes:
        with search_indexes.deferred(note=progress):
            return import_snapshot_file(path, batch_size=batch_size, progress=progress)
    # Counting first: totals for the progress lines, and which kinds to import in turn.
    kinds = Counter(kind for _, _, kind in iter_entities(path, quick=True))
    if not kinds:
        raise SnapshotError(path, None, "no entities in this file (empty, or not a snapshot)")
    stats = ImportStats(skipped=sum(n for kind, n in kinds.items() if kind not in IMPORTERS))
    with transaction.atomic():
        for kind, importer in IMPORTERS.items():
            if not kinds[kind]:
                continue
            done, where = 0, ""
            batch: list[object] = []  # records of their shape, as iter_entities gives them
            read: Counter[str] = Counter()
            for where, entity, entity_kind_ in iter_entities(path, kind=kind):
                read[entity_kind_] += 1
                if entity_kind_ != kind:
                    continue
                batch.append(entity)
                if len(batch) >= batch_size:
                    stats += _import_batch(importer, batch, path, where)
                    done += len(batch)
                    batch = []
                    _report(progress, path, kind, done, kinds[kind], stats)
            if batch:
                stats += _import_batch(importer, batch, path, where)
                done += len(batch)
                _report(progress, path, kind, done, kinds[kind], stats)
            if read != kinds:
                # The file changed between reads, or a line's leading "id" was not its id.
                raise SnapshotError(path, None, "entities differ between reads; import again")
    return stats


def _import_batch(importer, batch: list[object], path, where: str) -> ImportStats:
    try:
        return importer(batch)
    except ValueError as exc:  # the transaction rolls back: still nothing imported
        raise SnapshotError(path, f"batch ending at {where}", str(exc)) from exc


def _report(progress, path, kind: str, done: int, total: int, stats: ImportStats) -> None:
    if progress:
        progress(
            f"{path}: {kind}s {done}/{total} (created {stats.created}, updated "
            f"{stats.updated}, unchanged {stats.unchanged}, skipped {stats.skipped})"
        )
