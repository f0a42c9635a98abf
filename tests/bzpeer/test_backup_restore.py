"""The documented backup (``make backup``: pg_dump) restores (``make restore``: pg_restore) into a
fresh database that holds the same rows and serves the same pages.

PostgreSQL only: dumps the test database after loading the demo, restores it into a new
database next to it, compares every table's row count, then renders the same profile page from
the restored database in another process and compares the HTML.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from works.models import Researcher

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="pg_dump backs up PostgreSQL only"),
]

ROOT = Path(__file__).resolve().parents[2]
RESTORE_OPTIONS = ["--no-owner", "--exit-on-error", "--single-transaction"]
PG_BIN = Path(os.environ.get("BZPEER_PG_BIN", "/usr/lib/postgresql/15/bin"))

RENDER_PAGE = """
import json, sys, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
response = Client().get(sys.argv[1])
print(json.dumps({"status": response.status_code, "html": response.content.decode()}))
"""


def pg_tool(name: str) -> str:
    path = PG_BIN / name
    return str(path) if path.exists() else shutil.which(name) or name


def database_url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        count = 'SELECT count(*) FROM "{}"'
        return {t: db.execute(count.format(t)).fetchone()[0] for t in tables}


def comparable(html: str) -> str:
    """The page without what differs on every render: the masked CSRF token (64 characters)."""
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "<token>", html)


@pytest.fixture
def restored_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = database_url("postgres")

    def drop():
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    drop()


def test_a_dump_of_the_demo_restores_into_a_fresh_database_that_serves_the_same_pages(
    client, tmp_path, restored_database
):
    call_command("load_demo", verbosity=0)
    researcher = Researcher.objects.canonical().filter(owner__isnull=True).order_by("pk").first()
    url = researcher.get_absolute_url()
    original = client.get(url)
    assert original.status_code == 200
    source = database_url(connection.settings_dict["NAME"])
    counts = row_counts(source)
    assert counts["works_work"] > 0 and counts["profiles_researcher"] > 0

    dump = tmp_path / "bzpeer.dump"
    # The commands `make backup` and `make restore` run (docs/operations.md).
    subprocess.run(
        [
            pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            f"--dbname={source}",
            f"--file={dump}",
        ],
        check=True,
    )
    subprocess.run(
        [pg_tool("pg_restore"), *RESTORE_OPTIONS, f"--dbname={restored_database}", str(dump)],
        check=True,
    )

    assert row_counts(restored_database) == counts
    rendered = subprocess.run(
        [sys.executable, "-c", RENDER_PAGE, url],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": restored_database,
            "REDIS_URL": "",
            "DJANGO_SETTINGS_MODULE": "bzpeer.settings_test",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    restored = json.loads(rendered.stdout.strip().splitlines()[-1])
    assert restored["status"] == 200
    assert researcher.display_name in restored["html"]
    assert comparable(restored["html"]) == comparable(original.content.decode())
