"""A staff user starts an import from the admin and watches the progress bar reach 100%."""

import json
import re
import threading
import time

import pytest
import responses
from django.db import connection

from tests.works import imports_replay as replay
from works import runs, tasks
from works.models import ImportRun, Work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_upstream():
    """The recorded works served one per cursor page (the chain is the test's), 0.5 s each."""
    works = replay.all_works()

    def page(request):
        cursor = re.search(r"[?&]cursor=([^&]*)", request.url).group(1)
        index = 0 if cursor in ("*", "%2A") else int(cursor.lstrip("c"))
        time.sleep(0.5)
        following = f"c{index + 1}" if index + 1 < len(works) else None
        return 200, {}, json.dumps(replay.page_body([works[index]], following, len(works)))

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        replay.add_author(rsps)
        rsps.add_callback(responses.GET, replay.WORKS_URL, callback=page)
        yield rsps


@pytest.fixture
def background_worker(monkeypatch):
    """Stands in for the Celery worker: runs the queued import in a thread of this process."""
    threads = []

    def delay(run_id):
        def work():
            try:
                runs.execute_run(run_id, task_id="browser-test")
            finally:
                connection.close()

        thread = threading.Thread(target=work, daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(tasks.import_openalex_author, "delay", delay)
    yield
    for thread in threads:
        thread.join(timeout=30)


def test_staff_start_an_import_and_see_the_progress_bar_reach_100(
    page, live_server, staff_reviewer, slow_upstream, background_worker
):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/works/importrun/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", "pw-123456!")
    page.click("input[type=submit]")
    page.get_by_role("link", name="Start an import").click()
    page.check("input[name=source][value=openalex]")
    page.fill("#id_identifier", "https://openalex.org/A5017898742")
    page.click("input[value='Start import']")

    page.wait_for_selector("#run-progress")
    assert page.locator("#run-progress").get_attribute("data-status") != "succeeded"
    page.evaluate("window.__noReload = true")  # survives only if the page is never reloaded
    # htmx polls the partial every second; the run moves through nine pages meanwhile.
    page.wait_for_selector("#run-progress[data-status=succeeded]", timeout=30_000)
    assert page.locator(".run-percent").inner_text() == "100%"
    assert page.locator("#run-progress progress").get_attribute("value") == "100"
    assert page.evaluate("window.__noReload") is True
    run = ImportRun.objects.get()
    assert (run.status, run.created, run.requested_by) == ("succeeded", 9, staff_reviewer)
    assert Work.objects.count() == 9
