"""/health/ for the compose healthcheck and load balancers."""

import socket

import pytest
from django.core.management import call_command
from django.db import OperationalError

from bzpeer import health

pytestmark = pytest.mark.django_db


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_without_a_broker_it_is_healthy_and_says_tasks_run_in_process(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "in-process",
        "pages": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_a_broker_that_is_down_makes_it_503(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_loopback_port()}/0"
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["broker"].startswith("down")
    # The public answer names the failure, never the address or credentials.
    assert "127.0.0.1" not in response.content.decode()


def test_a_database_that_is_down_makes_it_503(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    class BrokenCursor:
        def __enter__(self):
            raise OperationalError("connection refused to db.internal:5432")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(health.connection, "cursor", lambda: BrokenCursor())
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "down (OperationalError)"
    assert "db.internal" not in response.content.decode()


def test_a_live_redis_broker_is_reported_ok(client, settings):
    import os

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")
    settings.REDIS_URL = url
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_it_only_answers_safe_methods(client):
    assert client.post("/health/").status_code == 405
    assert client.head("/health/").status_code == 200


def test_it_costs_one_query(client, settings, django_assert_max_num_queries):
    settings.REDIS_URL = ""
    with django_assert_max_num_queries(1):
        client.get("/health/")


MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_static_files_collected_without_a_manifest_make_it_503(client, settings, tmp_path):
    """What the image shipped: files collected with the development storage, no manifest, so
    production's storage fails every page; health must fail with them."""
    settings.REDIS_URL = ""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = MANIFEST_STORAGE
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["pages"] == "down (ValueError)"
    assert body["database"] == "ok"


def test_static_files_built_with_their_manifest_make_it_200(client, settings, tmp_path):
    settings.REDIS_URL = ""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = MANIFEST_STORAGE
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["pages"] == "ok"


def test_a_template_that_cannot_render_makes_it_503(client, settings, tmp_path):
    settings.REDIS_URL = ""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path], "APP_DIRS": False}]
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["pages"] == "down (TemplateDoesNotExist)"
