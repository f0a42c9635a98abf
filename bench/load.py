"""Requests/s and latency of the main pages under concurrent clients, on the production shape.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bzpeer .venv/bin/python bench/load.py
    ... bench/load.py --size big      # <db>_big: the demo + 100,000 works, 50,000 researchers
    ... bench/load.py --size both     # both, and how much slower each page is on the big one
    ... bench/load.py --duration 3 --runs 1 --connections 32     # a quick look

The production shape: static files built as ``bin/build-static`` builds them (hashed, compressed,
the manifest), the database migrated and loaded with the demo (``manage.py load_demo``, which
a second time adds nothing), gunicorn started as the Procfile starts it (3 sync workers,
``DJANGO_DEBUG=false``, persistent database connections), PostgreSQL and Redis (``REDIS_URL``
if it answers, else a private ``redis-server`` on ``--port`` + 1). Requests carry
``X-Forwarded-Proto: https``, as the TLS proxy in front of gunicorn sends it.

The API throttles would otherwise be what the works API figure measures (120 requests a minute
per address): the run raises ``BZPEER_API_ANON_RATE`` and ``BZPEER_API_USER_RATE`` to
100,000 a second and prints that it did. The throttles still run and count every request, each
against its client's history: every wrk connection is a client with an address of its own
(``X-Forwarded-For``, with ``DJANGO_NUM_PROXIES=1`` as behind production's proxy), so a history
holds one client's requests of the last second, not the whole run's.

``wrk`` (``-t2``, fixed duration, ``bench/wrk_report.lua``) loads, one after the other:

* a static file (the hashed stylesheet, through WhiteNoise): the baseline;
* the profile page of the reference researcher (the one with the most visible works);
* that researcher's works API (``/api/researchers/<id>/works/``);
* search (``/search/?q=<--query>``);
* the home page.

with 32 and then 8 connections, each page right after the static file of the same run, and
does that ``--runs`` times (3). Between two loads it waits until every worker is idle again:
wrk stops at its deadline, but gunicorn still answers the requests left queued, and the next
page would otherwise be measured against that backlog. It prints, per number of connections,
the median over the runs of requests/s, p50/p95/p99 latency, the ratio of the page's
requests/s to the static file's (taken in the same run), and the errors: answers other than
2xx plus socket errors and timeouts.
Every URL is fetched once before the load and must answer 200 (not a redirect).

Aims (32 connections): profile page, works API and search at 0.5 or more of the static file's
requests/s with p95 under 100 ms; every page within 20% between the demo and the big database.
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import figure, skipped  # noqa: E402

BIN = Path(sys.executable).parent
LUA = Path(__file__).resolve().parent / "wrk_report.lua"
# High enough that no client of the run is ever throttled, and per second: the throttle keeps
# the time of every request inside its window, so a per-minute window this wide would make each
# request re-store tens of thousands of timestamps, and the figure would measure the throttle.
API_RATE = "100000/second"
PAGES = ["static", "profile", "works_api", "search", "home"]
# Pages with a throughput and latency aim; the home page is measured for the flatness aim.
AIMED = {"profile", "works_api", "search"}
AIM_RATIO = 0.5
AIM_P95_MS = 100
AIM_SLOWDOWN = 1.2
REFERENCE_QUERY = """
try:
    from works.models import Researcher
except ImportError:
    from profiles.models import Researcher
from django.db.models import Count, Q
visible = Count("authorships__work", filter=Q(authorships__work__is_hidden=False), distinct=True)
top = Researcher.objects.canonical().annotate(n=visible).order_by("-n", "pk").first()
print(top.pk, top.n, top.display_name)
"""


def with_database_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def start_redis(port: int, processes: list) -> str:
    """A private, memory-only Redis for the run; its URL."""
    if not shutil.which("redis-server"):
        sys.exit("No REDIS_URL that answers and no redis-server to start one.")
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    processes.append(process)
    for _ in range(100):
        if answers("127.0.0.1", port):
            return f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    sys.exit(f"redis-server did not start on port {port}")


def server_environment(database_url: str, redis_url: str, static_root: Path, port: int) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_DEBUG="false",
        BZPEER_TESTING="false",
        DJANGO_SECRET_KEY=f"bench-only-{secrets.token_urlsafe(48)}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        BZPEER_SITE_URL=f"http://127.0.0.1:{port}",
        DJANGO_STATIC_ROOT=str(static_root),
        BZPEER_API_ANON_RATE=API_RATE,
        BZPEER_API_USER_RATE=API_RATE,
        # Behind one proxy, as in production: the client's address is X-Forwarded-For's last.
        DJANGO_NUM_PROXIES="1",
    )
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args[:1])} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare(env: dict, load_demo: bool) -> tuple[int, int, str]:
    """Static files, migrations, the demo; returns the reference researcher (pk, works, name)."""
    subprocess.run(["bin/build-static"], cwd=ROOT, env=env, check=True)
    manage(env, "migrate", "--noinput", "-v", "0")
    if load_demo:
        started = time.perf_counter()
        manage(env, "load_demo", "-v", "0")
        print(f"load_demo: {time.perf_counter() - started:.1f} s (adds nothing when loaded)")
    pk, works, name = manage(env, "shell", "-v", "0", "-c", REFERENCE_QUERY).split(maxsplit=2)
    return int(pk), int(works), name.strip()


def start_gunicorn(env: dict, port: int, workers: int, log: Path, processes: list) -> None:
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "bzpeer.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--no-control-socket",
            "--access-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )
    processes.append(process)
    for _ in range(200):
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {log}")
        if answers("127.0.0.1", port):
            return
        time.sleep(0.1)
    sys.exit(f"gunicorn never answered on port {port}; see {log}")


def fetch_once(port: int, path: str) -> int:
    """Bytes of the answer; exits unless it is a 200 (a redirect would be measured instead)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        sys.exit(f"GET {path} answered {response.status}, not 200:\n{body[:1000]!r}")
    return len(body)


def wrk(url: str, connections: int, seconds: int) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        "-H",
        "X-Forwarded-Proto: https",
        url,
        "--",
        str(max(1, connections // 2)),  # clients (addresses) per thread: one per connection
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"wrk failed on {url}:\n{result.stdout}{result.stderr}")
    line = next(x for x in result.stdout.splitlines() if x.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    errors = raw["non2xx"] + raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "requests": raw["requests"],
        "p50": raw["p50_us"] / 1000,
        "p95": raw["p95_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "errors": errors,
    }


def timed_fetch(port: int, path: str) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
    connection.getresponse().read()
    connection.close()
    return time.perf_counter() - started


def drain(port: int, path: str, workers: int) -> float:
    """Wait until every gunicorn worker is idle; returns the seconds waited.

    wrk stops at its deadline, but the requests its connections left queued are still served
    (a sync worker answers a request whose client has gone), so without this the next page
    would be measured while the server still works off the previous one's backlog. Idle: as
    many simultaneous requests for the static file as there are workers all answer in 250 ms.
    """
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        while max(pool.map(lambda _: timed_fetch(port, path), range(workers))) >= 0.25:
            pass
    return time.perf_counter() - started


def measure(urls: dict, connections: list[int], runs: int, seconds: int, idle) -> dict:
    """results[connections][page] = one dict per run, each with its ratio to that run's static.
    ``idle()`` waits until the server has finished the previous load."""
    for url in urls.values():  # warm every worker's connections and caches
        wrk(url, 8, min(seconds, 2))
        idle()
    results = {c: {page: [] for page in urls} for c in connections}
    for run in range(runs):
        for c in connections:
            static = None
            for page, url in urls.items():
                figures = wrk(url, c, seconds)
                waited = idle()
                static = static or figures["rps"]
                if not static:
                    sys.exit(f"the static file answered nothing in {seconds} s: {url}")
                figures["ratio"] = figures["rps"] / static
                results[c][page].append(figures)
                print(
                    f"  run {run + 1} c={c:<3} {page:<10} {figures['rps']:8.1f} req/s  "
                    f"p95 {figures['p95']:7.1f} ms  errors {figures['errors']}  "
                    f"(backlog drained in {waited:.1f} s)",
                    flush=True,
                )
    return results


def medians(results: dict) -> dict:
    table = {}
    for c, pages in results.items():
        table[c] = {}
        for page, samples in pages.items():
            row = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
            row["errors"] = sum(s["errors"] for s in samples)
            row["requests"] = sum(s["requests"] for s in samples)
            table[c][page] = row
    return table


def print_table(label: str, table: dict, runs: int, seconds: int) -> None:
    for c, pages in table.items():
        print(f"\n{label}: {c} connections, medians of {runs} runs of {seconds:g} s")
        print(
            f"{'page':<11}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
            f"{'errors':>8}{'/static':>9}"
        )
        for page, row in pages.items():
            print(
                f"{page:<11}{row['rps']:9.1f}{row['p50']:9.1f}{row['p95']:9.1f}"
                f"{row['p99']:9.1f}{row['errors']:8d}{row['ratio']:9.4f}"
            )


def report_figures(label: str, table: dict) -> None:
    top = max(table)
    for page, row in table[top].items():
        if page == "static":
            figure(f"load {label} static c{top} req/s", round(row["rps"], 1), "req/s")
            continue
        aimed = page in AIMED
        figure(
            f"load {label} {page} c{top} ratio to static",
            float(f"{row['ratio']:.3g}"),
            "x",
            f">= {AIM_RATIO}" if aimed else "",
            row["ratio"] >= AIM_RATIO if aimed else None,
        )
        figure(
            f"load {label} {page} c{top} p95",
            round(row["p95"], 1),
            "ms",
            f"< {AIM_P95_MS} ms" if aimed else "",
            row["p95"] < AIM_P95_MS if aimed else None,
        )
    errors = sum(row["errors"] for c in table for row in table[c].values())
    figure(f"load {label} errors", errors, "responses", "0", errors == 0)


def run_one(args, database_url: str, label: str) -> dict:
    processes: list[subprocess.Popen] = []
    workdir = Path(tempfile.mkdtemp(prefix="bzpeer-load-"))
    try:
        redis_url = args.redis_url
        redis = urlsplit(redis_url) if redis_url else None
        if not redis or not answers(redis.hostname or "127.0.0.1", redis.port or 6379):
            if redis_url:
                print(f"REDIS_URL {redis_url} does not answer; starting a private Redis")
            redis_url = start_redis(args.port + 1, processes)
        env = server_environment(database_url, redis_url, workdir / "static", args.port)
        print(f"{label}: database {database_name(database_url)}, Redis {redis_url}")
        print(
            f"API throttles raised for the run: BZPEER_API_ANON_RATE={API_RATE}, "
            f"BZPEER_API_USER_RATE={API_RATE}; each wrk connection is a client of its own "
            "(X-Forwarded-For, DJANGO_NUM_PROXIES=1)"
        )
        pk, works, name = prepare(env, load_demo=label == "demo")
        print(f"reference researcher: {pk} {name} ({works} visible works)")
        start_gunicorn(env, args.port, args.workers, workdir / "gunicorn.log", processes)
        manifest = json.loads((workdir / "static" / "staticfiles.json").read_text())
        paths = {
            "static": f"/static/{manifest['paths']['css/bzpeer.css']}",
            "profile": f"/researchers/{pk}/",
            "works_api": f"/api/researchers/{pk}/works/",
            "search": f"/search/?q={args.query}",
            "home": "/",
        }
        base = f"http://127.0.0.1:{args.port}"
        for page, path in paths.items():
            print(f"  {page:<10} {path}  ({fetch_once(args.port, path):,} bytes)")
        load = os.getloadavg()
        print(
            f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
            f"{os.cpu_count()} cores; gunicorn {args.workers} sync workers; wrk -t2"
        )
        results = measure(
            {p: base + u for p, u in paths.items()},
            args.connections,
            args.runs,
            args.duration,
            idle=lambda: drain(args.port, paths["static"], args.workers),
        )
        table = medians(results)
        print_table(label, table, args.runs, args.duration)
        report_figures(label, table)
        return {"label": label, "researcher": pk, "works": works, "table": table}
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def ensure_big(demo_url: str, big_url: str, rebuild: bool) -> None:
    command = [
        sys.executable,
        str(ROOT / "bench" / "grow.py"),
        "--source",
        demo_url,
        "--target",
        big_url,
    ]
    if rebuild:
        command.append("--rebuild")
    subprocess.run(command, check=True)


def compare(demo: dict, big: dict) -> None:
    """How much slower each page is on the big database, as the fall of its ratio to the static
    file: the two sizes run minutes apart, and on a shared machine the load of other processes
    changes more than that in between; the static file of the same run cancels it."""
    top = max(demo["table"])
    print(f"\nbig / demo at {top} connections (slowdown = demo ratio / big ratio; aim <= 1.2)")
    for page in PAGES:
        if page == "static":
            continue
        before, after = demo["table"][top][page], big["table"][top][page]
        slowdown = before["ratio"] / after["ratio"] if after["ratio"] else float("inf")
        p50 = after["p50"] / before["p50"]
        print(f"  {page:<10} slowdown {slowdown:6.2f}  p50 big/demo {p50:6.2f}")
        figure(
            f"load {page} c{top} slowdown big/demo",
            round(slowdown, 2),
            "x",
            f"<= {AIM_SLOWDOWN}",
            slowdown <= AIM_SLOWDOWN,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["demo", "big", "both"], default="demo")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--big-database-url", help="default: the database's name + _big")
    parser.add_argument("--rebuild-big", action="store_true", help="grow the big one again")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8300")))
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--connections", type=lambda s: [int(x) for x in s.split(",")], default=[32, 8]
    )
    parser.add_argument("--query", default="language", help="the search query")
    args = parser.parse_args()

    if not args.database_url.startswith(("postgres://", "postgresql://")):
        return skipped("needs PostgreSQL (the production shape): set DATABASE_URL")
    if not shutil.which("wrk"):
        return skipped("needs wrk (apt-get install wrk)")
    big_url = args.big_database_url or with_database_name(
        args.database_url, database_name(args.database_url) + "_big"
    )
    if args.size in ("big", "both"):
        ensure_big(args.database_url, big_url, args.rebuild_big)
    demo = run_one(args, args.database_url, "demo") if args.size != "big" else None
    big = run_one(args, big_url, "big") if args.size != "demo" else None
    if demo and big:
        compare(demo, big)
    return 0


if __name__ == "__main__":
    sys.exit(main())
