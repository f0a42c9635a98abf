"""The OpenAPI schema, the offline docs, and schemathesis checking the API against its schema.

schemathesis calls every GET operation of the whole API (other apps' endpoints included) on
the Django WSGI app in-process (no network), with a bounded, derandomised number of examples
per operation, on the recorded data; every response must be documented, of the documented
shape, and never a 5xx.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bzpeer.wsgi import application

pytestmark = pytest.mark.django_db

# Not ``ignored_auth``: these endpoints declare authentication optional (``{}`` in their
# security list), so answering an anonymous request is the documented behaviour.
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)


@pytest.fixture
def api_schema(mearman):
    # The raw WSGI handler closes the database connection after each request, which would
    # end the test's transaction; Django's own test client disconnects these handlers too.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.from_wsgi("/api/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.from_pytest_fixture("api_schema")


@schema.include(method="GET").parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: a failure is reported as found, which is enough to reproduce it.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_read_endpoint_keeps_to_its_schema(case):
    response = case.call_wsgi()
    case.validate_response(response, checks=CHECKS)


def test_the_schema_is_openapi_3_and_documents_the_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    for path in (
        "/api/researchers/",
        "/api/researchers/{id}/",
        "/api/researchers/{id}/works/",
        "/api/works/",
        "/api/works/{id}/",
    ):
        assert "get" in document["paths"][path], path
    parameters = {p["name"] for p in document["paths"]["/api/works/"]["get"]["parameters"]}
    assert {"doi", "arxiv_id", "openalex_id", "year", "q", "cursor", "page_size"} <= parameters
    parameters = {p["name"] for p in document["paths"]["/api/researchers/"]["get"]["parameters"]}
    assert {"openalex_id", "orcid", "q", "institution", "topic", "page"} <= parameters


def test_the_interactive_docs_are_served_offline(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    # Swagger UI comes from the sidecar package, under our own static files, not a CDN.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # the CSP forbids inline scripts
