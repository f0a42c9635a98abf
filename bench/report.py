"""The lines every benchmark prints for `make bench` (bench/suite.py) to collect.

A benchmark stays a plain script whose own output is for people; besides it, it prints one
``BENCH_FIGURE {json}`` line for each headline figure (name, value, unit, target, met), and a
benchmark that cannot run on the database it was given prints ``BENCH_SKIPPED <reason>`` and
exits 0, so a skip is not mistaken for a failure.
"""

import json

FIGURE = "BENCH_FIGURE "
SKIPPED = "BENCH_SKIPPED "


def figure(name: str, value: float, unit: str, target: str = "", met: bool | None = None) -> None:
    """One headline figure; ``target`` is as people read it (">= 0.5", "<= 100 ms")."""
    line = {"name": name, "value": value, "unit": unit, "target": target, "met": met}
    print(FIGURE + json.dumps(line), flush=True)


def skipped(reason: str) -> int:
    """Say why the benchmark does not run here; returns the exit status to use (0)."""
    print(SKIPPED + reason, flush=True)
    return 0
