"""The image, CI, compose and `make run-stack` build and run production the same way.

The production shape itself is exercised by bin/smoke-production, which CI runs after the tests;
these keep the pieces from drifting apart (no Docker engine is needed to read them).
"""

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def procfile() -> dict[str, list[str]]:
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        match = re.match(r"^([a-z]+):\s*(.+)$", line)
        if match:
            words = shlex.split(match.group(2))
            commands[match.group(1)] = words[1:] if words[0] == "exec" else words
    return commands


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_static_files_are_built_with_the_production_storage_and_a_manifest(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(
        [ROOT / "bin" / "build-static"],
        env={**env, "DJANGO_DEBUG": "true", "DJANGO_STATIC_ROOT": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/bzpeer.css"]
    assert re.fullmatch(r"css/bzpeer\.[0-9a-f]{12}\.css", hashed)
    assert (tmp_path / hashed).exists()
    assert (tmp_path / f"{hashed}.gz").exists()  # whitenoise's compressed copy


def test_the_image_builds_static_files_with_the_same_script_and_runs_as_a_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "RUN bin/build-static" in dockerfile
    assert "collectstatic" not in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")


def test_the_image_leaves_secrets_and_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".venv/", ".git/", "*.sqlite3", "staticfiles/", ".stack/"):
        assert entry in ignored


def test_ci_runs_the_production_smoke_test_after_the_tests():
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.index("bin/smoke-production") > ci.rindex("make test")


def test_compose_runs_the_procfile_commands():
    services = compose()["services"]
    processes = procfile()
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = json.loads(re.search(r"^CMD (.+)$", dockerfile, flags=re.MULTILINE).group(1))
    assert services["web"]["command"] == processes["web"] == cmd
    assert services["worker"]["command"] == processes["worker"]
    # Beat's schedule lives on a volume in compose, in .stack/state under run-stack.
    for commands in (services["beat"]["command"], processes["beat"]):
        assert commands[:-1] == ["celery", "-A", "bzpeer", "beat", "--loglevel=INFO"]
    assert services["beat"]["command"][-1] == "--schedule=/var/lib/bzpeer/celerybeat-schedule"
    assert "beatstate:/var/lib/bzpeer" in services["beat"]["volumes"]
