"""Break bzpeer on purpose and measure what it loses: ``make faults``.

    .venv/bin/python -m bench.faults.run                       # every scenario, about 10 minutes
    .venv/bin/python -m bench.faults.run --only kills --kills 10 --seed 7
    .venv/bin/python -m bench.faults.run --port-base 8650 --keep  # keep data folder and logs

Starts its own PostgreSQL (the machine's binaries, a throw-away data folder) and its own Redis on
``--port-base`` and the next ports, never the shared ones, then runs, in this order:

* ``kills``: an OpenAlex import of ``--works`` works (1,500) on a Celery worker that is SIGKILLed
  ``--kills`` times at random points; after each kill the sweeper runs (as beat would) and a new
  worker starts. Counts the works lost and duplicated (both must be 0).
* ``redis``: Redis (no persistence, the worst case) is killed during an import and started again
  five seconds later; a second run is queued while it is down.
* ``upstream``: OpenAlex answers 429s, 500s, a 503 storm that outlasts the client's retries and a
  truncated body (``bench/faults/replay_worker.py``, replayed from the recorded fixtures).
* ``postgres``: gunicorn with production settings serves pages under a steady load while
  PostgreSQL is restarted; the status codes are counted per second, gunicorn is not restarted.

Prints one Markdown section per scenario; ``docs/operations.md`` carries the figures.
"""

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
INITDB_OPTIONS = ["-A", "trust", "-U", "postgres", "--no-sync"]
BIN = Path(sys.executable).parent


def as_postgres(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def wait_until(predicate, timeout: float, what: str, step: float = 0.2, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker is not None and worker.process.poll() is not None:
            raise RuntimeError(f"the worker exited waiting for {what}:\n{worker.output()}")
        time.sleep(step)
    tail = worker.output() if worker is not None else ""
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}\n{tail}")


class Stack:
    """A private PostgreSQL and Redis in a temporary folder, stopped (and removed) at the end."""

    def __init__(self, port_base: int, keep: bool):
        self.pg_port, self.redis_port, self.web_port = port_base, port_base + 1, port_base + 2
        self.keep = keep
        self.dir = Path(tempfile.mkdtemp(prefix="bzpeer-faults-"))
        self.pg_data = self.dir / "pg"
        self.redis: subprocess.Popen | None = None
        self.database_url = f"postgres://postgres@127.0.0.1:{self.pg_port}/bzpeer_faults"
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"

    def __enter__(self):
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        subprocess.run(
            as_postgres([str(PG_BIN / "initdb"), "-D", str(self.pg_data), *INITDB_OPTIONS]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.start_postgres()
        subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.pg_port),
                "-U",
                "postgres",
                "bzpeer_faults",
            ],
            check=True,
        )
        self.start_redis()
        return self

    def __exit__(self, *exc):
        self.stop_redis()
        self.pg_ctl("stop", "-m", "immediate")
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print(f"(kept {self.dir})")

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), "-w", *args]),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start_postgres(self) -> None:
        options = f"-p {self.pg_port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-l", str(self.dir / "postgres.log"), "-o", options, "start")

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=(self.dir / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_until(self.redis_answers, 10, "redis to start")

    def redis_answers(self) -> bool:
        import redis

        try:
            return redis.Redis.from_url(self.redis_url, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop_redis(self, sig: int = signal.SIGTERM) -> None:
        if self.redis and self.redis.poll() is None:
            self.redis.send_signal(sig)
            self.redis.wait(timeout=10)

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "DJANGO_SETTINGS_MODULE": "bzpeer.settings",
            # bench/ is a folder of scripts, not a package: the worker finds bench.faults here.
            "PYTHONPATH": str(ROOT),
            **extra,
        }


class Worker:
    """``celery worker --pool=solo``: one process, so SIGKILL kills the task with it."""

    def __init__(self, stack: Stack, **env: str):
        self.log = stack.dir / f"worker-{uuid.uuid4().hex[:8]}.log"
        self.process = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "bench.faults.replay_worker",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"faults-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=stack.env(**env),
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


# Scenarios -----------------------------------------------------------------------------------


def forget_imports() -> None:
    """Each scenario starts from no generated work and no run."""
    from works.models import ImportRun, Work

    ImportRun.objects.all().delete()
    Work.objects.filter(openalex_id__startswith="W7").delete()


def integrity(expected: int) -> dict[str, int]:
    """Works lost and duplicated among the generated ids, and authorship slots held twice."""
    from django.db.models import Count

    from bench.faults import corpus
    from works.models import Authorship, Work

    ids = {corpus.work_id(i) for i in range(expected)}
    present = Work.objects.filter(openalex_id__in=ids)
    rows = present.count()
    distinct = present.values("openalex_id").distinct().count()
    slots = (
        Authorship.objects.filter(work__openalex_id__in=ids)
        .values("work_id", "order")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    return {"lost": expected - distinct, "duplicated": rows - distinct, "double_slots": slots}


def finished(pk: int, timeout: float):
    from works.models import ImportRun

    return wait_until(
        lambda: (run := ImportRun.objects.get(pk=pk)).is_finished and run, timeout, "run to end"
    )


PER_PAGE = 25  # FAULTS_PER_PAGE's default in replay_worker.py


def scenario_kills(stack: Stack, works: int, kills: int, rng: random.Random) -> list[str]:
    """Kill points: ``kills`` distinct pages drawn at random; the worker is SIGKILLed a random
    fraction of a page after that page's works are committed, so most kills land mid-page
    (in the fetch or in the page's transaction)."""
    from works import runs
    from works.models import ImportRun

    forget_imports()
    env = {"FAULTS_WORKS": str(works), "FAULTS_PAGE_DELAY": "0.2"}
    pages = -(-works // PER_PAGE)
    marks = sorted(rng.sample(range(1, pages), min(kills, pages - 1)))
    started = time.monotonic()
    run = runs.start_openalex_import("A5017898742")
    worker = Worker(stack, **env)
    lines = ["| kill | at page | works committed | sweeper |", "|---:|---:|---:|---|"]
    for kill, mark in enumerate(marks, start=1):
        wait_until(
            lambda kill=kill: ImportRun.objects.get(pk=run.pk).attempts >= kill,
            120,
            f"a worker to take the run (attempt {kill})",
            worker=worker,
        )
        wait_until(
            lambda mark=mark: ImportRun.objects.get(pk=run.pk).progress_done >= mark * PER_PAGE,
            300,
            f"page {mark}",
            worker=worker,
        )
        time.sleep(rng.uniform(0, 0.5))
        worker.kill()
        at = ImportRun.objects.get(pk=run.pk).progress_done
        swept = runs.sweep_stale_runs(stale=timedelta(0))  # what beat does every five minutes
        verdict = "resumed" if run.pk in swept["resumed"] else "**gave up: run failed**"
        lines.append(f"| {kill} | {at // PER_PAGE + 1} | {at:,} of {works:,} | {verdict} |")
        if run.pk in swept["failed"]:
            break
        worker = Worker(stack, **env)
    done = finished(run.pk, 900)
    worker.stop()
    seconds = time.monotonic() - started
    counts = integrity(works)
    return [
        f"### Worker SIGKILLed {kills} times during a {works:,}-work import",
        "",
        *lines,
        "",
        f"Run {done.status} after {done.attempts} attempts in {seconds:.0f} s: "
        f"created {done.created:,}, progress {done.progress_done:,}/{done.progress_total:,}; "
        f"works lost **{counts['lost']}**, duplicated **{counts['duplicated']}**, "
        f"authorship slots held twice {counts['double_slots']}.",
    ]


def scenario_redis(stack: Stack, works: int) -> list[str]:
    from works import runs
    from works.models import ImportRun

    forget_imports()
    worker = Worker(stack, FAULTS_WORKS=str(works), FAULTS_PAGE_DELAY="0.2")
    started = time.monotonic()
    first = runs.start_openalex_import("A5017898742")
    wait_until(
        lambda: ImportRun.objects.get(pk=first.pk).progress_done >= works // 4, 300, "a quarter"
    )
    at = ImportRun.objects.get(pk=first.pk).progress_done
    stack.stop_redis(signal.SIGKILL)
    down_at = time.monotonic()
    try:
        second = runs.start_openalex_import("A5017898742")
        queued = "queued without error (!)"
    except Exception as error:  # the broker refused: the run row is committed, the message lost
        second = ImportRun.objects.order_by("-pk").first()
        queued = f"`{type(error).__name__}` raised to the caller; run #{second.pk} left queued"
    time.sleep(max(0.0, 5 - (time.monotonic() - down_at)))
    stack.start_redis()
    outage = time.monotonic() - down_at
    done = finished(first.pk, 600)
    worker_alive = worker.process.poll() is None
    runs.sweep_stale_runs(stale=timedelta(0))  # what beat does five minutes later
    resumed = finished(second.pk, 600) if second.pk != first.pk else done
    seconds = time.monotonic() - started
    worker.stop()
    counts = integrity(works)
    return [
        "### Redis killed (no persistence) during an import, started again",
        "",
        f"- Redis down for {outage:.1f} s with the run at {at:,} of {works:,} works.",
        f"- The running import: {done.status}, {done.progress_done:,}/{done.progress_total:,}, "
        f"worker {'still running, reconnected' if worker_alive else 'EXITED'}.",
        f"- A run started while Redis was down: {queued}; after the sweeper: {resumed.status}.",
        f"- Works lost **{counts['lost']}**, duplicated **{counts['duplicated']}** "
        f"({seconds:.0f} s in all).",
    ]


def scenario_upstream(stack: Stack, works: int) -> list[str]:
    from works import runs

    forget_imports()
    log = stack.dir / "upstream-faults.log"
    worker = Worker(
        stack,
        FAULTS_WORKS=str(works),
        FAULTS_PAGE_DELAY="0",
        FAULTS_UPSTREAM="flaky",
        FAULTS_LOG=str(log),
    )
    started = time.monotonic()
    first = finished(runs.start_openalex_import("A5017898742").pk, 300)
    committed = works - integrity(works)["lost"]
    second = finished(runs.rerun(first).pk, 600)
    seconds = time.monotonic() - started
    worker.stop()
    served = Counter(line.split()[0] for line in log.read_text().splitlines())
    counts = integrity(works)
    error = first.errors[-1] if first.errors else {}
    retried = [e for e in second.errors if e.get("kind") == "TransientError"]
    return [
        "### Upstream 429, 500, 503 storm and a truncated body (recorded fixtures, no network)",
        "",
        f"- Served: {served['429']} x 429 (Retry-After: 1), {served['500']} x 500, "
        f"{served['503']} x 503, {served['200']} x truncated JSON.",
        f"- First run: {first.status} on page {error.get('page')} with "
        f"`{error.get('kind')}: {re.sub(r'https?://[^ ]+', '<url>', error.get('detail', ''))}`; "
        f"{committed:,} works committed, "
        f"{'whole pages only' if committed % PER_PAGE == 0 else 'PART OF A PAGE'}.",
        f"- Re-run: {second.status} after {second.attempts} attempt(s) "
        f"({len(retried)} task retry after the 503 storm outlasted the client's 5 tries); "
        f"created {second.created:,}, updated or unchanged "
        f"{second.updated + second.unchanged:,}.",
        f"- Works lost **{counts['lost']}**, duplicated **{counts['duplicated']}** "
        f"({seconds:.0f} s in all).",
    ]


class Load(threading.Thread):
    """Clients requesting pages back to back; status codes counted per second."""

    def __init__(self, urls: list[str], clients: int):
        super().__init__(daemon=True)
        self.urls, self.clients = urls, clients
        self.stop = threading.Event()
        self.seen: list[tuple[float, int]] = []
        self.lock = threading.Lock()

    def one(self, url: str) -> int:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except Exception:
            return 0  # no answer at all

    def client(self, offset: int) -> None:
        i = offset
        while not self.stop.is_set():
            status = self.one(self.urls[i % len(self.urls)])
            with self.lock:
                self.seen.append((time.monotonic(), status))
            i += 1

    def run(self) -> None:
        threads = [threading.Thread(target=self.client, args=(i,)) for i in range(self.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def scenario_postgres(stack: Stack) -> list[str]:
    from django.core.management import call_command

    from works.models import Researcher

    call_command("load_demo", verbosity=0)
    profile = Researcher.objects.canonical().order_by("pk").first().get_absolute_url()
    env = stack.env(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="faults-" + "x" * 60,
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_CONN_MAX_AGE="60",
        DJANGO_STATIC_ROOT=str(stack.dir / "static"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    log = stack.dir / "gunicorn.log"
    gunicorn = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "bzpeer.wsgi",
            "-b",
            f"127.0.0.1:{stack.web_port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{stack.web_port}"
    load = Load([f"{base}/", f"{base}{profile}", f"{base}/health/"], clients=4)
    try:
        wait_until(lambda: load.one(f"{base}/health/") == 200, 60, "gunicorn")
        load.start()
        time.sleep(5)
        down = time.monotonic()
        stack.pg_ctl("stop", "-m", "fast")
        time.sleep(5)
        stack.start_postgres()
        up = time.monotonic()
        time.sleep(8)
    finally:
        load.stop.set()
        load.join(timeout=30)
        gunicorn_pid, restarted = gunicorn.pid, gunicorn.poll() is not None
        gunicorn.terminate()
        gunicorn.wait(timeout=20)
    seen = sorted(load.seen)
    first_200_after = next((t for t, s in seen if t > up and s == 200), None)
    phases = {
        "before (5 s)": Counter(s for t, s in seen if t < down),
        "PostgreSQL down (5 s)": Counter(s for t, s in seen if down <= t < up),
        "after it is back (8 s)": Counter(s for t, s in seen if t >= up),
    }
    lines = ["| phase | responses by status (0 = no answer) |", "|---|---|"]
    for name, counter in phases.items():
        lines.append(f"| {name} | {', '.join(f'{s}: {n}' for s, n in sorted(counter.items()))} |")
    back = f"{first_200_after - up:.2f} s" if first_200_after else "never"
    return [
        "### PostgreSQL stopped for 5 s under load, gunicorn left alone",
        "",
        f"4 clients back to back on `/`, `{profile}` and `/health/` (gunicorn: 2 workers x 2 "
        "threads, `DJANGO_DEBUG=false`, `DJANGO_CONN_MAX_AGE=60` with health checks).",
        "",
        *lines,
        "",
        f"First 200 after PostgreSQL was back: {back}. Gunicorn (pid {gunicorn_pid}) "
        f"{'had EXITED' if restarted else 'was never restarted'}.",
    ]


SCENARIOS = ["kills", "redis", "upstream", "postgres"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", choices=SCENARIOS)
    parser.add_argument("--works", type=int, default=1500)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--port-base", type=int, default=8650)
    parser.add_argument("--keep", action="store_true", help="keep the data folder and logs")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(10_000)
    rng = random.Random(seed)
    chosen = args.only or SCENARIOS

    with Stack(args.port_base, args.keep) as stack:
        os.environ.update(stack.env(DJANGO_DEBUG="true"))
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        report = [f"## Fault figures (`python -m bench.faults.run`, seed {seed})", ""]
        for name in SCENARIOS:
            if name not in chosen:
                continue
            print(f"== {name}", file=sys.stderr, flush=True)
            if name == "kills":
                section = scenario_kills(stack, args.works, args.kills, rng)
            elif name == "redis":
                section = scenario_redis(stack, args.works)
            elif name == "upstream":
                section = scenario_upstream(stack, min(args.works, 500))
            else:
                section = scenario_postgres(stack)
            print("\n".join(section) + "\n", flush=True)
            report += [*section, ""]


if __name__ == "__main__":
    main()
