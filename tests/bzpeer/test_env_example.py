"""`.env.example` copied to `.env` works as it stands: an empty value means the default."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.example"
GOOD_KEY = "not-a-real-secret-but-long-and-varied-0123456789-abcdefghijklmnopqrstuvwxyz"

# Prints the settings these tests look at, as the project loads them.
SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "NAME": str(s.DATABASES["default"]["NAME"]),
    "CONN_MAX_AGE": s.DATABASES["default"]["CONN_MAX_AGE"],
    "REDIS_URL": s.REDIS_URL,
    "EAGER": s.CELERY_TASK_ALWAYS_EAGER,
    "BZPEER_SITE_URL": s.BZPEER_SITE_URL,
    "BZPEER_SITE_NAME": s.BZPEER_SITE_NAME,
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "STATIC_ROOT": str(s.STATIC_ROOT),
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "AXES_FAILURE_LIMIT": s.AXES_FAILURE_LIMIT,
}))
"""


def run(args: list[str], env_file: Path | str, **env: str) -> subprocess.CompletedProcess:
    """Run in a fresh environment (only PATH), reading ``env_file`` as the project's .env."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "bzpeer.settings",
            "DJANGO_ENV_FILE": str(env_file),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_with(env_file: Path | str, **env: str) -> dict:
    result = run(["-c", SHOW_SETTINGS], env_file, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def copy_of_example(tmp_path: Path, **changes: str) -> Path:
    lines = EXAMPLE.read_text().splitlines()
    for name, value in changes.items():
        lines = [f"{name}={value}" if line.startswith(f"{name}=") else line for line in lines]
    env_file = tmp_path / ".env"
    env_file.write_text("\n".join(lines) + "\n")
    return env_file


def test_management_commands_run_with_the_example_as_env(tmp_path):
    result = run(["manage.py", "check"], copy_of_example(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_empty_values_in_the_example_mean_the_defaults(tmp_path):
    loaded = settings_with(copy_of_example(tmp_path))
    assert loaded["DEBUG"] is True
    assert loaded["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["NAME"] == str(ROOT / "db.sqlite3")
    assert loaded["REDIS_URL"] == ""
    assert loaded["EAGER"] is True
    assert loaded["BZPEER_SITE_URL"] == "http://127.0.0.1:8000"
    assert loaded["BZPEER_SITE_NAME"] == "bzpeer"
    assert loaded["STATIC_ROOT"] == str(ROOT / "staticfiles")
    # Values the example does give are read.
    assert loaded["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["AXES_FAILURE_LIMIT"] == 5


def test_an_empty_environment_variable_means_the_default_too():
    loaded = settings_with(os.devnull, DATABASE_URL="", DJANGO_CONN_MAX_AGE="", REDIS_URL="")
    assert loaded["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["CONN_MAX_AGE"] == settings_with(os.devnull)["CONN_MAX_AGE"]
    assert loaded["REDIS_URL"] == ""


def test_the_environment_wins_over_the_file_and_an_empty_one_lets_the_file_fill_it(tmp_path):
    env_file = copy_of_example(
        tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/from-file.sqlite3", BZPEER_SITE_NAME="file"
    )
    loaded = settings_with(env_file, DATABASE_URL="", BZPEER_SITE_NAME="environment")
    assert loaded["NAME"] == f"{tmp_path}/from-file.sqlite3"
    assert loaded["BZPEER_SITE_NAME"] == "environment"


def test_the_example_filled_in_for_production_passes_the_deploy_check(tmp_path):
    env_file = copy_of_example(
        tmp_path,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="bzpeer.example.org",
        BZPEER_SITE_URL="https://bzpeer.example.org",
        DATABASE_URL="postgres://bzpeer@db.invalid/bzpeer",
        REDIS_URL="redis://redis.invalid:6379/0",
        OPENALEX_API_KEY="key",
    )
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env_file)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def variables_settings_read() -> set[str]:
    """Every NAME in env.<cast>("NAME", ...) in bzpeer/settings.py."""
    tree = ast.parse((ROOT / "bzpeer" / "settings.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "env"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def test_the_example_lists_every_variable_the_settings_read_and_no_other():
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(), flags=re.MULTILINE))
    # Not configuration: which file to read.
    read = variables_settings_read() - {"DJANGO_ENV_FILE"}
    assert read - listed == set(), "read by bzpeer/settings.py but missing from .env.example"
    assert listed - read == set(), "in .env.example but read by nothing"
