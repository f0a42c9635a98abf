"""`make bench`: every benchmark on SQLite and on PostgreSQL, then one summary table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bzpeer make bench      # full
    BENCH_QUICK=1 DATABASE_URL=... make bench                               # smaller sizes
    .venv/bin/python bench/suite.py [--quick] [--only profile_page,load]

Each benchmark is a script that runs alone too (its own docstring says how); this runs them one
after the other, SQLite first (``DATABASE_URL`` removed), then PostgreSQL (``DATABASE_URL`` as
given; without one the PostgreSQL half is skipped, and says so). A benchmark that needs
PostgreSQL is skipped on SQLite, not failed. The output of every benchmark is shown as it
runs; the table at the end has its headline figures: benchmark, database, figure, target, met.
The exit status is 1 only if a benchmark crashed, never for a missed target.

The full run takes the better part of an hour on a 2-core machine: the load bench 17 minutes
(both sizes; growing the big database, once, 2.5 more), the profile and import benches 4, the
graph bench at 100,000 works and 1,000,000 authorships the rest, on each database.
``BENCH_QUICK=1`` (or ``--quick``) runs the same benchmarks at smaller sizes and 3-second load
runs, a few minutes (3.6 on that machine); its figures are for spotting a regression, and its
summary does not judge them against the targets (those are set at the full sizes).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import FIGURE, SKIPPED  # noqa: E402


@dataclass
class Bench:
    name: str
    script: str
    full: list[str]
    quick: list[str]
    needs_postgres: bool = False
    # Headline figures read from the script's own output: (regex, figure, unit, target, met).
    patterns: list[tuple] = field(default_factory=list)
    # Run on PostgreSQL a second time against the big database (bench/grow.py).
    also_big: bool = False


def at_most(limit):
    return lambda value: value <= limit


def at_least(limit):
    return lambda value: value >= limit


BENCHES = [
    Bench(
        "profile_page",
        "bench/profile_page.py",
        full=[],
        quick=["--works", "300", "--coauthors", "600", "--repeat", "20"],
        patterns=[
            (r"ratio: ([\d.]+)x", "profile page / same-bytes view", "x", "<= 3", at_most(3)),
            (r"median, as served:\s+([\d.]+) ms", "profile page median", "ms", "", None),
            (r"median, rendered:\s+([\d.]+) ms", "profile page rendered", "ms", "", None),
        ],
        also_big=True,
    ),
    Bench(
        "import_snapshot",
        "bench/import_snapshot.py",
        full=[],
        quick=["--works", "2000"],
        needs_postgres=True,
        patterns=[
            (
                r"ratio import/COPY, search deferred:\s+([\d.]+)",
                "import / COPY (deferred)",
                "x",
                ">= 0.25",
                at_least(0.25),
            ),
            (
                r"ratio import/COPY, search deferred:\s+[\d.]+ \(([\d,]+) works/s\)",
                "import works/s (deferred)",
                "works/s",
                ">= 2000",
                at_least(2000),
            ),
            (
                r"ratio import/COPY, indexes live:\s+[\d.]+ \(([\d,]+) works/s\)",
                "import works/s (indexes live)",
                "works/s",
                "",
                None,
            ),
        ],
    ),
    Bench(
        "graph",
        "bench/graph.py",
        full=[],
        quick=["--works", "10000", "--authorships", "100000", "--full-runs", "1"],
        patterns=[
            (r"full recompute: median ([\d.]+) s", "full recompute", "s", "<= 60", at_most(60)),
            (
                r"nothing changed: median ([\d.]+) ms",
                "one researcher, 1,000 works",
                "ms",
                "<= 200",
                at_most(200),
            ),
        ],
    ),
    Bench(
        "load",
        "bench/load.py",
        full=["--size", "both"],
        quick=["--size", "both", "--duration", "3", "--connections", "32"],
        needs_postgres=True,
    ),
]


def big_url(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path + "_big"))


def run(bench: Bench, database: str, env: dict, quick: bool) -> tuple[list[dict], str]:
    """Runs one benchmark, echoing its output; returns its figures and how it ended."""
    command = [sys.executable, bench.script, *(bench.quick if quick else bench.full)]
    print(f"\n== {bench.name} on {database}: {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = []
    for line in process.stdout:
        print(line, end="", flush=True)
        output.append(line)
    process.wait()
    text = "".join(output)
    minutes = (time.perf_counter() - started) / 60
    if SKIPPED in text:
        return [], "skipped: " + text.split(SKIPPED, 1)[1].splitlines()[0]
    if process.returncode:
        return [], f"FAILED (exit {process.returncode})"
    figures = [json.loads(line.removeprefix(FIGURE)) for line in output if line.startswith(FIGURE)]
    for pattern, name, unit, target, check in bench.patterns:
        match = re.search(pattern, text)
        if match:
            value = float(match.group(1).replace(",", ""))
            met = check(value) if check else None
            figures.append(
                {"name": name, "value": value, "unit": unit, "target": target, "met": met}
            )
        else:
            figures.append({"name": name, "value": None, "unit": unit, "target": target})
    return figures, f"ran in {minutes:.1f} min"


def summary(rows: list[tuple], quick: bool) -> None:
    print(
        f"\n== summary ({'quick run: smaller sizes, targets not judged' if quick else 'full run'})"
    )
    header = ("benchmark", "database", "figure", "value", "target", "met?")
    table = [header]
    for bench, database, figure in rows:
        if isinstance(figure, str):
            table.append((bench, database, figure, "", "", ""))
            continue
        value = "?" if figure["value"] is None else f"{figure['value']:g} {figure['unit']}"
        # The targets are set for the full sizes: a quick run shows them without judging.
        met = "-" if quick else {True: "yes", False: "NO", None: ""}[figure.get("met")]
        table.append((bench, database, figure["name"], value, figure["target"], met))
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("BENCH_QUICK")))
    parser.add_argument("--only", help="comma-separated benchmark names")
    args = parser.parse_args()
    chosen = [b for b in BENCHES if not args.only or b.name in args.only.split(",")]
    postgres_url = os.environ.get("DATABASE_URL", "")
    if not postgres_url.startswith(("postgres://", "postgresql://")):
        postgres_url = ""

    sqlite_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    rows, failed = [], False
    for bench in chosen:
        if bench.needs_postgres:
            rows.append((bench.name, "sqlite", "skipped: needs PostgreSQL"))
        else:
            figures, outcome = run(bench, "sqlite", sqlite_env, args.quick)
            failed |= outcome.startswith("FAILED")
            rows += [(bench.name, "sqlite", f) for f in figures] or [
                (bench.name, "sqlite", outcome)
            ]
    for bench in chosen:
        targets = [("postgresql", postgres_url)]
        if bench.also_big and postgres_url:
            targets.append(("postgresql big", big_url(postgres_url)))
        for database, url in targets:
            if not url:
                rows.append((bench.name, database, "skipped: set DATABASE_URL to PostgreSQL"))
                continue
            if database.endswith("big"):
                grow = [sys.executable, "bench/grow.py", "--source", postgres_url, "--target", url]
                subprocess.run(grow, cwd=ROOT, check=True)
            env = {**os.environ, "DATABASE_URL": url}
            figures, outcome = run(bench, database, env, args.quick)
            failed |= outcome.startswith("FAILED")
            rows += [(bench.name, database, f) for f in figures] or [
                (bench.name, database, outcome)
            ]
    rows += flatness(rows)
    summary(rows, args.quick)
    return 1 if failed else 0


def flatness(rows: list[tuple]) -> list[tuple]:
    """The profile page's time on the big database over its time on the demo one, as served
    and rendered (aim: 1.2)."""
    lines = []
    for name, label in [("profile page median", "served"), ("profile page rendered", "rendered")]:
        medians = {
            database: figure["value"]
            for bench, database, figure in rows
            if bench == "profile_page"
            and isinstance(figure, dict)
            and figure["name"] == name
            and figure["value"]
        }
        if {"postgresql", "postgresql big"} <= medians.keys():
            slowdown = round(medians["postgresql big"] / medians["postgresql"], 2)
            line = {"name": f"profile page big / demo, {label}", "value": slowdown, "unit": "x",
                    "target": "<= 1.2", "met": slowdown <= 1.2}  # fmt: skip
            lines.append(("profile_page", "postgresql", line))
    return lines


if __name__ == "__main__":
    sys.exit(main())
