"""Benchmark the OpenAlex snapshot import against a plain COPY of the same rows (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bzpeer .venv/bin/python bench/import_snapshot.py
    .venv/bin/python bench/import_snapshot.py --works 2000     # a quick run

Builds a throw-away test database (``test_<name>``, dropped at the end). Generates a JSON Lines
snapshot of N works (10,000 by default) from the recorded OpenAlex works (``works/demo/openalex``):
each generated work is a real record with new ids (work, DOI, arXiv links) and its authors drawn
from a shared pool, so authorships, institutions, sources and topics keep the recorded shapes
(2.3 authors a work on the list page, up to dozens on others) and authors recur across works.

Prints, for the same run (every time is wall-clock seconds, works/s = N / that time):

* import, indexes live (``import_snapshot_file``): the import with every index, the search
  indexes of ``profiles/migrations/0002_search.py`` included, kept up to date row by row;
* a second import of the same file (everything unchanged);
* import, search indexes deferred (``--defer-search-indexes``), into the emptied tables: the
  load with the search indexes dropped, plus the time to build them again; the works/s figure
  counts both (drop + load + rebuild);
* COPY, indexes live: a plain ``COPY`` of exactly the rows the import wrote (every table it
  touched) into empty copies with the same indexes and unique constraints;
* COPY, search indexes deferred: the same COPY into copies without the search indexes, plus
  building those indexes after it (the fair baseline for the deferred import);
* COPY, no index at all (for reference only);
* the ratios import rate / COPY rate, each import against the COPY done the same way.

The import runs with ``--workers`` worker processes (default: the CPU count, as the command);
``--workers 1`` measures the import in one process.

Aim: at least 2,000 works/s and a ratio of 0.25 or better (with ``--defer-search-indexes``,
against the deferred COPY).
"""

import argparse
import io
import json
import os
import re
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings_test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

OPENALEX = ROOT / "works" / "demo" / "openalex"
TABLES = [
    "profiles_institution",
    "profiles_researcher",
    "profiles_affiliation",
    "works_source",
    "works_topic",
    "works_work",
    "works_authorship",
    "works_authorship_institutions",
    "works_worktopic",
    # The works each work cites: about 32 a work here, the most rows the import writes.
    "works_workreference",
]
_ARXIV_LINK = re.compile(r"arxiv\.org/(abs|pdf)/[A-Za-z\-.]*/?\d{4}\.?\d{3,5}(v\d+)?", re.I)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.[\w.\-/]+", re.I)
_AUTHOR_ID = re.compile(r"https://openalex\.org/A(\d+)")
# One line of the report: what, seconds, works/s, import stats.
LINE = "{:<44}{:7.2f} s {:8,.0f} works/s   {}"


def templates() -> list[str]:
    records = []
    for name in [
        "works-page1-per_page50.json",
        "works-by-A5017898742-per_page50.json",
        "work-W3188841554.json",
        "work-W3187234764.json",
        "work-W2741809807.json",
    ]:
        data = json.loads((OPENALEX / name).read_text())
        records.extend(data.get("results", [data]))
    return [json.dumps(r) for r in records]


def generate(path: Path, count: int, author_pool: int) -> tuple[int, int]:
    """Write ``count`` works as JSON Lines; returns (works, authorships)."""
    sources = templates()
    authorships = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            text = sources[i % len(sources)]
            arxiv = f"99{(i // 100000) % 100:02d}.{i % 100000:05d}"
            text = _ARXIV_LINK.sub(f"arxiv.org/abs/{arxiv}", text)
            text = _ARXIV_DOI.sub(f"10.48550/arxiv.{arxiv}", text)
            # Authors recur: each recorded author maps onto a pool slot that drifts slowly.
            text = _AUTHOR_ID.sub(
                lambda m, i=i: (
                    "https://openalex.org/A8"
                    + f"{(zlib.crc32(m.group(1).encode()) + i // 25) % author_pool:09d}"
                ),
                text,
            )
            work = json.loads(text)
            work["id"] = f"https://openalex.org/W8{i:09d}"
            work["title"] = work["display_name"] = f"{work.get('title') or 'Untitled'} [{i}]"
            if work.get("doi") and "10.48550" not in work["doi"]:
                work["doi"] = f"https://doi.org/10.99999/bench.{i}"
            work["ids"] = {
                "openalex": work["id"],
                **({"doi": work["doi"]} if work.get("doi") else {}),
            }
            authorships += len(work.get("authorships") or [])
            out.write(json.dumps(work))
            out.write("\n")
    return count, authorships


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts


def copy_baseline(mode: str = "live") -> tuple[float, dict[str, float]]:
    """Seconds to COPY every row the import wrote into empty copies of its tables (total, and
    per table). mode "live": with the same indexes and constraints; "deferred": the same but
    without the search indexes, which are built after the COPY (counted as "search indexes");
    "bare": without any index."""
    from works.importers import search_indexes

    # GENERATED: works_work.search_document is computed as rows are written, as in the table.
    like = "INCLUDING DEFAULTS INCLUDING GENERATED" if mode == "bare" else "INCLUDING ALL"
    searched = {}  # bench table -> CREATE INDEX statements of its search indexes
    for name, definition in search_indexes.live_definitions().items():
        table = re.search(r" ON (?:\w+\.)?(\w+) ", definition).group(1)
        bench = re.sub(r" ON (?:\w+\.)?\w+ ", f" ON bench_{table} ", definition, count=1)
        searched.setdefault(f"bench_{table}", []).append(bench.replace(name, f"bench_{name}", 1))
    dumps = {}
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for table in TABLES:
            buffer = io.BytesIO()
            with raw.copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    buffer.write(chunk)
            dumps[table] = buffer.getvalue()
            cursor.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cursor.execute(f"CREATE TABLE bench_{table} (LIKE {table} {like})")
            if mode == "deferred" and f"bench_{table}" in searched:
                cursor.execute(
                    "SELECT indexname FROM pg_indexes WHERE tablename = %s "
                    "AND (indexdef LIKE '%%bzpeer_fold%%' "
                    "OR indexdef LIKE '%%(search_document)%%')",
                    [f"bench_{table}"],
                )
                for (index,) in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {index}")
        per_table = {}
        with connection.cursor() as inner:
            for table, data in dumps.items():
                started = time.perf_counter()
                with inner.cursor.copy(f"COPY bench_{table} FROM STDIN") as copy:
                    copy.write(data)
                per_table[table] = time.perf_counter() - started
            if mode == "deferred":
                # The same session setting the import's rebuild uses.
                inner.execute("SELECT set_config('maintenance_work_mem', '256MB', false)")
                started = time.perf_counter()
                for statements in searched.values():
                    for statement in statements:
                        inner.execute(statement)
                per_table["search indexes"] = time.perf_counter() - started
                inner.execute("RESET maintenance_work_mem")
        for table in TABLES:
            cursor.execute(f"DROP TABLE bench_{table}")
    return sum(per_table.values()), per_table


def empty_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")


def timed_import(path: Path, batch_size: int, workers: int, *, profile: bool = False):
    """Seconds and stats of one import of the file (with a cProfile report if asked)."""
    from works.importers.snapshot import import_snapshot_file

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    stats = import_snapshot_file(path, batch_size=batch_size, workers=workers)
    seconds = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"works/importers", 20)
    return seconds, stats


def import_deferred(
    path: Path, batch_size: int, workers: int, counts: dict[str, int], works: int
) -> float:
    """Empty the tables and import the file again with the search indexes dropped and built
    after; prints and returns the total seconds (drop + load + rebuild)."""
    from works.importers import search_indexes
    from works.importers.snapshot import import_snapshot_file

    empty_tables()
    started = time.perf_counter()
    dropped = search_indexes.drop()
    loaded_at = time.perf_counter()
    try:
        deferred_stats = import_snapshot_file(path, batch_size=batch_size, workers=workers)
    finally:
        rebuilt_at = time.perf_counter()
        search_indexes.create(dropped)
    done = time.perf_counter()
    assert row_counts() == counts, "the deferred import wrote other rows"
    deferred = done - started
    rebuild = done - rebuilt_at
    print(
        LINE.format(
            "import, search indexes deferred (total):", deferred, works / deferred, deferred_stats
        )
    )
    print(
        f"    of which load {rebuilt_at - loaded_at:.2f} s, drop "
        f"{loaded_at - started:.2f} s, rebuild {rebuild:.2f} s ({', '.join(dropped)})"
    )
    return deferred


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=10_000)
    parser.add_argument("--authors", type=int, default=0, help="author pool (default works*2)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes of the import (default: the number of CPUs, as the command)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the first import")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (COPY is the baseline).")

    from bzpeer import planner_statistics

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "works.jsonl"
            works, authorships = generate(path, args.works, args.authors or args.works * 2)
            size = path.stat().st_size / 1e6
            print(f"generated {works:,} works, {authorships:,} authorships ({size:.1f} MB)")

            first, stats = timed_import(path, args.batch_size, args.workers, profile=args.profile)
            counts = row_counts()
            rows = sum(counts.values())
            print(f"rows written: {rows:,} (" + ", ".join(f"{t}={n:,}" for t, n in counts.items()))
            print(LINE.format("import, indexes live:", first, works / first, stats))
            # As the import command does after a load: the re-import plans on fresh statistics.
            planner_statistics.refresh()

            second, again = timed_import(path, args.batch_size, args.workers)
            print(
                LINE.format(
                    "re-import (all unchanged), indexes live:", second, works / second, again
                )
            )

            copy, per_table = copy_baseline("live")
            copy_deferred, per_table_deferred = copy_baseline("deferred")
            bare, _ = copy_baseline("bare")

            deferred = import_deferred(path, args.batch_size, args.workers, counts, works)
            print(LINE.format("COPY, indexes live:", copy, works / copy, ""))
            print("    per table:", ", ".join(f"{t}={s:.2f}s" for t, s in per_table.items()))
            print(LINE.format("COPY, search indexes built after:", copy_deferred,
                              works / copy_deferred, ""))  # fmt: skip
            print(
                "    per table:", ", ".join(f"{t}={s:.2f}s" for t, s in per_table_deferred.items())
            )
            print(LINE.format("COPY, no index at all (reference):", bare, works / bare, ""))
            print(
                f"ratio import/COPY, indexes live:     {copy / first:.2f} "
                f"({works / first:,.0f} works/s)"
            )
            print(
                f"ratio import/COPY, search deferred:  {copy_deferred / deferred:.2f} "
                f"({works / deferred:,.0f} works/s)"
            )
            print("aims: ratio >= 0.25, >= 2,000 works/s")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
