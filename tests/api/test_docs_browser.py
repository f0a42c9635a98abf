"""The interactive API docs render in Chromium from our own static files only."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_lists_the_operations_without_leaving_the_site(page, live_server):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock").first.wait_for()
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/researchers/" in " ".join(summaries)
    assert "/api/works/{id}/" in " ".join(summaries)
    assert hosts == {urlsplit(live_server.url).hostname}


def test_the_docs_page_breaks_no_csp_rule_and_links_back_to_the_site(page, live_server):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    # Swagger UI's own stylesheet still applies (its layout did not fall apart).
    assert page.locator(".swagger-ui .info .title").first.is_visible()
    page.get_by_role("link", name="Back to bzpeer").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Find a researcher").is_visible()


def test_favicon_ico_answers_with_the_logo(page, live_server):
    response = page.goto(f"{live_server.url}/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert page.url.endswith("/static/img/bzpeer.svg")
