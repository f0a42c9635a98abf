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
path), not a successful import of nothing. With ``workers``, worker processes decode, check and
map the batches while this process writes them (see "Worker processes" below).
"""

import gzip
import multiprocessing
import re
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import msgspec
import orjson
from django.db import transaction

from works.importers import search_indexes
from works.importers.openalex import (
    IMPORTERS,
    PREPARED_IMPORTERS,
    ImportStats,
    merge_prepared,
)
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

    def __reduce__(self):
        # Raised in a worker process, it travels back to the parent pickled.
        return SnapshotError, (self.path, self.where, self.problem)


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
    workers: int = 1,
) -> ImportStats:
    """Check then import one file, all or nothing. Raises SnapshotError for a bad file (nothing
    imported). A second run reports every entity unchanged.

    defer_search_indexes=True (PostgreSQL; call it outside a transaction): drop the search
    indexes for the load and rebuild them after it, also when it fails (see
    ``works.importers.search_indexes``). For several files, wrap them all in
    ``search_indexes.deferred()`` instead, as the command does.

    workers > 1: a JSON Lines file of more than one batch is decoded, checked and mapped in that
    many worker processes, while this process writes the batches already prepared, in file
    order, in the same transaction as with one worker; the rows written are the same."""
    if defer_search_indexes:
        with search_indexes.deferred(note=progress):
            return import_snapshot_file(
                path, batch_size=batch_size, progress=progress, workers=workers
            )
    # Counting first: totals for the progress lines, and which kinds to import in turn.
    kinds = Counter(kind for _, _, kind in iter_entities(path, quick=True))
    if not kinds:
        raise SnapshotError(path, None, "no entities in this file (empty, or not a snapshot)")
    stats = ImportStats(skipped=sum(n for kind, n in kinds.items() if kind not in IMPORTERS))
    with _worker_pool(path, kinds, batch_size, workers) as pool, transaction.atomic():
        for kind in IMPORTERS:
            if not kinds[kind]:
                continue
            read: Counter[str] = Counter()
            if pool is None:
                batches = _batches(path, kind, batch_size, read)
            else:
                batches = _prepared_batches(pool, workers, path, kind, batch_size, read)
            done = 0
            for count, where, write in batches:
                stats += _import_batch(write, path, where)
                done += count
                _report(progress, path, kind, done, kinds[kind], stats)
            if read != kinds:
                # The file changed between reads, or a line's leading "id" was not its id.
                raise SnapshotError(path, None, "entities differ between reads; import again")
    return stats


# A batch ready to write: (entities in it, where it ends, the write that returns its stats).
Batch = tuple[int, str, Callable[[], ImportStats]]


def _batches(path, kind: str, batch_size: int, read: Counter) -> Iterator[Batch]:
    """The batches of one kind, read, checked and mapped in this process."""
    importer = IMPORTERS[kind]
    batch: list[Any] = []  # records of their shape, as iter_entities gives them
    where = ""
    for where, entity, entity_kind_ in iter_entities(path, kind=kind):
        read[entity_kind_] += 1
        if entity_kind_ != kind:
            continue
        batch.append(entity)
        if len(batch) >= batch_size:
            yield len(batch), where, partial(importer, batch)
            batch = []
    if batch:
        yield len(batch), where, partial(importer, batch)


def _import_batch(write: Callable[[], ImportStats], path, where: str) -> ImportStats:
    try:
        return write()
    except ValueError as exc:  # the transaction rolls back: still nothing imported
        raise SnapshotError(path, f"batch ending at {where}", str(exc)) from exc


# Worker processes --------------------------------------------------------------------------
#
# Decoding, checking and mapping a work costs about as much as writing it. With workers, this
# process reads the lines of a batch and hands them to a worker, which returns the batch
# prepared (``openalex.Prepared``: plain records, no database behind them); meanwhile this
# process writes the batches prepared before, in file order, inside the file's transaction.
# So a bad line still stops the import at the first error in file order with nothing written,
# and the rows written are those of an import in one process.


@contextmanager
def _worker_pool(path, kinds: Counter, batch_size: int, workers: int):
    """A pool of worker processes for the file, or None where they would not help: one worker
    asked for, a single batch, a recorded API page rather than JSON Lines, or a platform
    without fork (a worker starts as a copy of this process, Django set up)."""
    batches = sum(-(-kinds[kind] // batch_size) for kind in IMPORTERS)
    workers = min(workers, batches)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    if not _is_json_lines(path):
        yield None
        return
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_forget_database,
    )
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _is_json_lines(path: Path) -> bool:
    """True if the file's first entity line opens with its id, as every snapshot line does."""
    for _, line in _numbered_lines(path):
        return bool(_LEADING_ID.match(line))
    return False


# The inherited connections of a worker, kept so that nothing closes the parent's sessions.
_inherited_connections: list = []


def _forget_database() -> None:
    """Run first in each worker: the database connections it inherited are the parent's, in
    the middle of its transaction. A query here would break that session, so any attempt to
    connect fails instead."""
    from django.db import connections

    def refuse():
        raise RuntimeError("snapshot import workers do not use the database")

    for connection in connections.all():
        _inherited_connections.append(connection.connection)
        connection.connection = None
        connection.connect = refuse  # type: ignore[method-assign]  # a worker must not connect


def _prepared_batches(
    pool: ProcessPoolExecutor, workers: int, path, kind: str, batch_size: int, read: Counter
) -> Iterator[Batch]:
    """The batches of one kind, prepared by the pool, in file order. Each batch's lines are
    shared out among the workers, so that the first batch is ready sooner and every worker has
    work. A worker's error (the first problem in its lines) is raised when its part's turn
    comes, so errors surface in file order as they do in one process."""
    pending: deque[list[Future]] = deque()  # the parts of each batch given out, in order
    chunks = _line_chunks(path, kind, batch_size, read)
    while True:
        try:
            chunk = next(chunks, None)
        except SnapshotError:
            # An unreadable line: a problem in an earlier batch comes first.
            while pending:
                yield _prepared(pending.popleft(), read)
            raise
        if chunk is None:
            break
        part_size = -(-len(chunk) // workers)
        pending.append(
            [
                pool.submit(_prepare_chunk, str(path), kind, chunk[start : start + part_size])
                for start in range(0, len(chunk), part_size)
            ]
        )
        # Two batches ahead: the workers prepare the next while this process writes one.
        if len(pending) > 2:
            yield _prepared(pending.popleft(), read)
    while pending:
        yield _prepared(pending.popleft(), read)


def _prepared(parts: list[Future], read: Counter) -> Batch:
    """The batch of the parts' results, with the write that imports it."""
    kind, prepared, count, where = "", [], 0, ""
    for part in parts:
        (kind, part_prepared), part_count, part_where, part_read = part.result()
        prepared.append(part_prepared)
        count += part_count
        where = part_where or where
        read.update(part_read)
    if kind in PREPARED_IMPORTERS:
        return count, where, partial(PREPARED_IMPORTERS[kind][1], merge_prepared(prepared))
    entities = [entity for part_entities in prepared for entity in part_entities]
    return count, where, partial(IMPORTERS[kind], entities)


def _line_chunks(path, kind: str, batch_size: int, read: Counter) -> Iterator[list]:
    """The lines (number, text) that may hold entities of ``kind``, batch_size at a time. A
    line that opens with the id of another kind is counted in ``read`` and left out, as
    ``iter_entities(kind=...)`` does; every other line goes to a worker to be checked."""
    chunk: list[tuple[int, str]] = []
    for line_no, line in _numbered_lines(path):
        if leading := _LEADING_ID.match(line):
            try:
                line_kind = kind_of_id(normalise_openalex_id(leading.group(1)))
            except ValueError:
                line_kind = kind  # a worker reports it, in its place
            if line_kind != kind:
                read[line_kind] += 1
                continue
        chunk.append((line_no, line))
        if len(chunk) >= batch_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line that is not blank; SnapshotError if unreadable."""
    line_no = 0
    try:
        with _open_text(Path(path)) as handle:
            for line in handle:
                line_no += 1
                if line.strip():
                    yield line_no, line
    except (EOFError, OSError, zlib.error) as exc:
        raise SnapshotError(path, f"line {line_no + 1}", f"unreadable (truncated?): {exc}") from exc
    except UnicodeDecodeError as exc:
        raise SnapshotError(path, f"line {line_no + 1}", "not UTF-8 text") from exc


def _prepare_chunk(path: str, kind: str, chunk: list[tuple[int, str]]):
    """In a worker: decode and check the lines, and map the entities of ``kind`` (the kinds
    of ``PREPARED_IMPORTERS``; the others, a few rows each, go back as checked entities).
    Returns ((kind, prepared batch), its entities, where it ends, entities read by kind)."""
    entities: list[object] = []
    read: Counter[str] = Counter()
    where = ""
    for line_no, line in chunk:
        for found in _line_entities(path, line_no, line, False, kind):
            where, entity, entity_kind_ = found
            read[entity_kind_] += 1
            if entity_kind_ == kind:
                entities.append(entity)
    if kind not in PREPARED_IMPORTERS:
        return (kind, entities), len(entities), where, read
    prepare = PREPARED_IMPORTERS[kind][0]
    try:
        prepared = prepare(entities)
    except ValueError as exc:
        raise SnapshotError(path, f"batch ending at {where}", str(exc)) from exc
    return (kind, prepared), len(entities), where, read


def _report(progress, path, kind: str, done: int, total: int, stats: ImportStats) -> None:
    if progress:
        progress(
            f"{path}: {kind}s {done}/{total} (created {stats.created}, updated "
            f"{stats.updated}, unchanged {stats.unchanged}, skipped {stats.skipped})"
        )
