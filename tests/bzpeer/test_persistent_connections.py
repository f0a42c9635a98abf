"""Persistent database connections: on in production, and a connection PostgreSQL dropped (a
restart, an idle timeout) is replaced before a request uses it, not turned into an error."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, close_old_connections, connection

ROOT = Path(__file__).resolve().parents[2]

PRINT_CONNECTION_SETTINGS = """
import django
django.setup()
from django.db import connection
print(connection.settings_dict["CONN_MAX_AGE"], connection.settings_dict["CONN_HEALTH_CHECKS"])
"""


def connection_settings(**env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PRINT_CONNECTION_SETTINGS],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bzpeer.settings",
            "DJANGO_CONN_MAX_AGE": "",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_production_keeps_connections_for_a_minute_and_checks_them():
    production = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "k" * 60}
    assert connection_settings(**production) == "60 True"
    assert connection_settings(**production, DJANGO_CONN_MAX_AGE="300") == "300 True"
    assert connection_settings(DJANGO_DEBUG="true") == "0 True"


def kill_this_connection() -> None:
    s = connection.settings_dict
    pid = connection.connection.info.backend_pid
    admin = psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname=s["NAME"],
        autocommit=True,
    )
    with admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="terminates a PostgreSQL backend")
@pytest.mark.parametrize("health_checks", [True, False])
def test_a_dropped_persistent_connection_is_replaced_before_the_next_request(client, health_checks):
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_HEALTH_CHECKS"] = health_checks
    try:
        assert client.get("/").status_code == 200
        assert connection.connection is not None  # kept for the next request
        kill_this_connection()
        # What every request starts with (django.db.close_old_connections on request_started);
        # the test client leaves it out so that tests keep their connection.
        close_old_connections()
        if health_checks:
            assert client.get("/").status_code == 200
        else:
            # What the check prevents: the first request on the dead connection fails.
            with pytest.raises(OperationalError):
                client.get("/")
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
        connection.close()
