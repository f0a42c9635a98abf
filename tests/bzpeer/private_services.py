"""Private Redis and PostgreSQL servers that a test may stop and start for real.

The shared services of the machine (and of CI) must keep running for every other test, so an
outage test starts its own on a free loopback port and a temporary folder. Without the binaries
the test is skipped with the reason; under CI (``CI`` set) it fails instead, since CI has both.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the outage tests")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {seconds} s")


class PrivateRedis:
    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            missing("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="bzpeer-redis-")
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.folder,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_bin() -> Path | None:
    for candidate in (Path("/usr/lib/postgresql/15/bin"), *_bin_dirs_on_path()):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


def _bin_dirs_on_path():
    initdb = shutil.which("initdb")
    return [Path(os.path.realpath(initdb)).parent] if initdb else []


class PrivatePostgres:
    """A throwaway cluster run as the postgres user (PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.bin = postgres_bin()
        if self.bin is None:
            missing("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        if shutil.which("runuser") is None or os.geteuid() != 0:
            missing("starting a private PostgreSQL needs root and runuser (to run as postgres)")
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="bzpeer-pg-")
        shutil.chown(self.folder, user="postgres")
        self.data = f"{self.folder}/data"
        self.as_postgres(
            [self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/bzpeer"

    def as_postgres(self, command: list) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, command)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.as_postgres(
            [
                self.bin / "pg_ctl",
                "-D",
                self.data,
                "-l",
                f"{self.folder}/log",
                "-w",
                "-o",
                options,
                "start",
            ]
        )

    def stop(self) -> None:
        self.as_postgres([self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"])

    def create_database(self) -> None:
        self.as_postgres(
            [
                self.bin / "psql",
                "-h",
                "127.0.0.1",
                "-p",
                self.port,
                "-U",
                "postgres",
                "-qc",
                "CREATE DATABASE bzpeer",
            ]
        )

    def log(self) -> str:
        path = Path(self.folder, "log")
        return path.read_text(errors="replace") if path.exists() else ""

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def production_env(**extra) -> dict:
    """The environment of a production process: DEBUG off, a real secret, plain HTTP.

    The test settings keep static files served from the source folders (no collectstatic), so
    these processes test the database and cache, not the static build.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="outage-test-" + "k" * 60,
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SETTINGS_MODULE="bzpeer.settings_test",
        **extra,
    )
    return env


# Loopback only: an http_proxy in the environment must not see these requests.
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Gunicorn:
    def __init__(self, env: dict):
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="bzpeer-gunicorn-")
        self.log = Path(self.folder, "log").open("wb")  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "bzpeer.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                "1",
                "--timeout",
                "60",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, self.process, seconds=60)

    def get(self, path: str):
        """(status, headers, body) of a GET, errors included."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        try:
            with NO_PROXY.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def output(self) -> str:
        return Path(self.folder, "log").read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
