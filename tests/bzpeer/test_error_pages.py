"""Error pages as a visitor meets them in production (DEBUG off): the site's own, no traceback."""

import pytest
from django.test import Client

pytestmark = pytest.mark.urls("tests.bzpeer.error_urls")


@pytest.fixture
def visitor(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def assert_branded(response, status: int, heading: str) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert heading in html
    assert 'href="/"' in html  # a way back
    assert "secret detail" not in html
    assert "Traceback" not in html
    return html


@pytest.mark.django_db
def test_a_missing_page_is_the_sites_own_404(visitor):
    assert_branded(visitor.get("/no-such-page/"), 404, "Page not found")


@pytest.mark.django_db
def test_a_missing_api_address_stays_a_json_404(visitor):
    response = visitor.get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_crashing_page_is_a_branded_500_that_needs_no_database(visitor):
    # No database access is allowed in this test: the 500 page must render while it is down.
    html = assert_branded(visitor.get("/test-errors/crash/"), 500, "Something went wrong")
    assert "Sign in" in html


def test_a_crashing_api_call_is_a_json_500(visitor):
    response = visitor.get("/api/test-errors/crash/")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Server error. It has been logged.",
        "code": "server_error",
    }


@pytest.mark.django_db
def test_a_refused_page_is_a_branded_403(visitor):
    assert_branded(visitor.get("/test-errors/forbidden/"), 403, "You cannot open this page")


@pytest.mark.django_db
def test_a_refused_api_call_is_a_json_403(visitor):
    response = visitor.get("/api/test-errors/forbidden/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_suspicious_request_is_a_branded_400(visitor):
    assert_branded(visitor.get("/test-errors/suspicious/"), 400, "could not be understood")


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_branded_csrf_page(settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    html = assert_branded(response, 403, "This form could not be sent")
    assert "reload the page" in html


def test_an_unreachable_redis_is_a_branded_503_not_a_500(visitor):
    response = visitor.get("/test-errors/redis/")
    assert_branded(response, 503, "temporarily unavailable")
    assert response["Retry-After"] == "30"


def test_an_unreachable_redis_in_the_api_is_a_json_503(visitor):
    response = visitor.get("/api/test-errors/redis/")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response["Retry-After"] == "30"


def test_the_500_answer_survives_a_page_that_cannot_render(visitor, settings, tmp_path):
    # The production static storage without its manifest: every template with {% static %}
    # fails, the 500 page's own included; the visitor still gets words and a way home.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    response = visitor.get("/test-errors/crash/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert 'href="/"' in html
    assert "secret detail" not in html
