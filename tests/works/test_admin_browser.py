"""A staff user starts an import from the admin and watches the progress bar reach 100%."""

import json
import re
import threading
import time

import pytest
import responses

from tests.works import imports_replay as replay
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
def in_process_tasks():
    """No broker, as under `make run`: the admin hands the run to a thread of the server."""
    with replay.eager_tasks():
        yield
    for thread in threading.enumerate():
        if thread.name.startswith("import-run-"):
            thread.join(timeout=30)


def sign_in_to_the_admin(page, live_server, next_path="/admin/works/importrun/"):
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", "pw-123456!")
    page.click("input[type=submit]")


def test_staff_start_an_import_and_see_the_progress_bar_reach_100(
    page, live_server, staff_reviewer, slow_upstream, in_process_tasks
):
    sign_in_to_the_admin(page, live_server)
    page.get_by_role("link", name="Start an import").click()
    page.check("input[name=source][value=openalex]")
    page.fill("#id_identifier", "https://openalex.org/A5017898742")
    started = time.monotonic()
    page.click("input[value='Start import']")

    page.wait_for_selector("#run-progress")
    # The upstream needs 0.5 s a page for nine pages (4.5 s): the form did not wait for them,
    # and the run it shows has not finished.
    assert time.monotonic() - started < 4
    assert page.locator("#run-progress").get_attribute("data-status") in ("queued", "running")
    assert page.locator("ul.messagelist li.info").inner_text().startswith("Import run ")
    assert page.locator("ul.messagelist li.success").count() == 0
    page.evaluate("window.__noReload = true")  # survives only if the page is never reloaded
    # htmx polls the partial every second; the run moves through nine pages meanwhile.
    assert page.get_by_role("button", name="Cancel run").is_visible()
    page.wait_for_selector("#run-progress[data-status=succeeded]", timeout=30_000)
    # A finished run cannot be cancelled: its button goes as the page sees it end.
    page.get_by_role("button", name="Cancel run").wait_for(state="detached")
    assert page.locator(".run-percent").inner_text() == "100%"
    assert page.locator("#run-progress progress").get_attribute("value") == "100"
    assert page.evaluate("window.__noReload") is True
    run = ImportRun.objects.get()
    assert (run.status, run.created, run.requested_by) == ("succeeded", 9, staff_reviewer)
    assert Work.objects.count() == 9


@pytest.fixture
def missing_author():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, replay.AUTHOR_URL, status=404, json={"error": "Not found"})
        yield rsps


@pytest.mark.parametrize("width", [1280, 390])
def test_a_failed_run_says_why_in_words_clear_of_the_buttons(
    page, live_server, staff_reviewer, missing_author, in_process_tasks, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_to_the_admin(page, live_server, "/admin/works/importrun/start/")
    page.fill("#id_identifier", "A5017898742")
    page.click("input[value='Start import']")
    page.wait_for_selector("#run-progress[data-status=failed]", timeout=15_000)

    message = page.locator("#run-progress .run-error__message")
    assert message.inner_text() == (
        "OpenAlex has no record with this id. Check the id and start a new import."
    )
    technical = page.locator("#run-progress .run-error__details")
    assert "PermanentError: OpenAlex has no record at" not in technical.inner_text().split("\n")[0]
    assert not technical.locator("code").is_visible()  # collapsed until asked for
    technical.locator("summary").click()
    assert "PermanentError: OpenAlex has no record at" in technical.locator("code").inner_text()

    # Re-run and History (offered once the page is opened on the finished run) sit clear of
    # the progress and its errors.
    page.reload()
    page.wait_for_selector("#run-progress[data-status=failed]")
    progress = page.locator("#run-progress").bounding_box()
    for name in ("Re-run", "History"):
        tool = page.locator(".object-tools").get_by_text(name).bounding_box()
        overlaps = not (
            tool["x"] + tool["width"] <= progress["x"]
            or progress["x"] + progress["width"] <= tool["x"]
            or tool["y"] + tool["height"] <= progress["y"]
            or progress["y"] + progress["height"] <= tool["y"]
        )
        assert not overlaps, (name, tool, progress)
