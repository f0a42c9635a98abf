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
