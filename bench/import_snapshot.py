"""Benchmark the OpenAlex snapshot import against a plain COPY of the same rows (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bzpeer .venv/bin/python bench/import_snapshot.py
    .venv/bin/python bench/import_snapshot.py --works 2000     # a quick run

Builds a throw-away test database (``test_<name>``, dropped at the end). Generates a JSON Lines
snapshot of N works (10,000 by default) from the recorded OpenAlex works (``tests/fixtures``):
each generated work is a real record with new ids (work, DOI, arXiv links) and its authors drawn
from a shared pool, so authorships, institutions, sources and topics keep the recorded shapes
(2.3 authors a work on the list page, up to dozens on others) and authors recur across works.

Prints, for the same run:

* the import (``works.importers.snapshot.import_snapshot_file``): works per second;
* a second import of the same file (everything unchanged);
* a plain ``COPY`` of exactly the rows the import wrote (every table it touched, into empty
  copies with the same indexes and unique constraints) and the ratio import rate / COPY rate.

Aim: at least 2,000 works/s and a ratio of 0.25 or better.
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
os.environ.setdefault("BZPEER_TESTING", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "openalex"
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
]
_ARXIV_LINK = re.compile(r"arxiv\.org/(abs|pdf)/[A-Za-z\-.]*/?\d{4}\.?\d{3,5}(v\d+)?", re.I)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.[\w.\-/]+", re.I)
_AUTHOR_ID = re.compile(r"https://openalex\.org/A(\d+)")


def templates() -> list[str]:
    records = []
    for name in [
        "works-page1-per_page50.json",
        "works-by-A5017898742-per_page50.json",
        "work-W3188841554.json",
        "work-W3187234764.json",
        "work-W2741809807.json",
    ]:
        data = json.loads((FIXTURES / name).read_text())
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


def copy_baseline(like: str = "INCLUDING ALL") -> tuple[float, dict[str, float]]:
    """Seconds to COPY every row the import wrote into empty tables with the same indexes
    (total, and per table). ``like="INCLUDING DEFAULTS"`` gives tables without any index."""
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
        per_table = {}
        with connection.cursor() as inner:
            for table, data in dumps.items():
                started = time.perf_counter()
                with inner.cursor.copy(f"COPY bench_{table} FROM STDIN") as copy:
                    copy.write(data)
                per_table[table] = time.perf_counter() - started
        for table in TABLES:
            cursor.execute(f"DROP TABLE bench_{table}")
    return sum(per_table.values()), per_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=10_000)
    parser.add_argument("--authors", type=int, default=0, help="author pool (default works*2)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="cProfile the first import")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (COPY is the baseline).")

    from works.importers.snapshot import import_snapshot_file

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "works.jsonl"
            works, authorships = generate(path, args.works, args.authors or args.works * 2)
            size = path.stat().st_size / 1e6
            print(f"generated {works:,} works, {authorships:,} authorships ({size:.1f} MB)")

            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            started = time.perf_counter()
            stats = import_snapshot_file(path, batch_size=args.batch_size)
            first = time.perf_counter() - started
            if profiler is not None:
                import pstats

                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"works/importers", 20)
            counts = row_counts()
            print(f"import:        {first:7.2f} s  {works / first:8,.0f} works/s   {stats}")

            started = time.perf_counter()
            again = import_snapshot_file(path, batch_size=args.batch_size)
            second = time.perf_counter() - started
            print(f"re-import:     {second:7.2f} s  {works / second:8,.0f} works/s   {again}")

            copy, per_table = copy_baseline()
            rows = sum(counts.values())
            print(f"COPY baseline: {copy:7.2f} s  {works / copy:8,.0f} works/s   ({rows:,} rows)")
            print("COPY per table:", ", ".join(f"{t}={s:.2f}s" for t, s in per_table.items()))
            bare, _ = copy_baseline("INCLUDING DEFAULTS")
            print(f"COPY, no index: {bare:6.2f} s  {works / bare:8,.0f} works/s   (for reference)")
            print("rows:", ", ".join(f"{t}={n:,}" for t, n in counts.items()))
            ratio = copy / first
            rate = works / first
            print(
                f"ratio import/COPY: {ratio:.2f} (aim >= 0.25); {rate:,.0f} works/s (aim >= 2,000)"
            )
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
