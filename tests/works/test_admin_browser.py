"""A staff user starts an import from the admin and watches the progress bar reach 100%."""

import json
import re
import threading

import pytest
import responses
from playwright.sync_api import expect

from tests.works import imports_replay as replay
from works import runs
from works.models import ImportRun, Work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def join_import_threads():
    for thread in threading.enumerate():
        if thread.name.startswith("import-run-"):
            thread.join(timeout=30)


@pytest.fixture
def in_process_tasks():
    """No broker, as under `make run`: the admin hands the run to a thread of the server."""
    with replay.eager_tasks():
        yield
    join_import_threads()


class HeldUpstream:
    """The recorded works served one per cursor page (the chain is the test's), each page held
    until the test lets it through: the test, not the clock, decides how far the run has got."""

    def __init__(self):
        self.works = replay.all_works()
        self._passes = threading.Semaphore(0)

    def let_through(self, pages: int) -> None:
        self._passes.release(pages)

    def page(self, request):
        # A page never let through fails the run (after a minute) rather than hang the server.
        if not self._passes.acquire(timeout=60):
            return 500, {}, json.dumps({"error": "held by the test and never let through"})
        cursor = re.search(r"[?&]cursor=([^&]*)", request.url).group(1)
        index = 0 if cursor in ("*", "%2A") else int(cursor.lstrip("c"))
        following = f"c{index + 1}" if index + 1 < len(self.works) else None
        body = replay.page_body([self.works[index]], following, len(self.works))
        return 200, {}, json.dumps(body)


@pytest.fixture
def held_upstream(in_process_tasks):
    upstream = HeldUpstream()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        replay.add_author(rsps)
        rsps.add_callback(responses.GET, replay.WORKS_URL, callback=upstream.page)
        yield upstream
        # Whatever the test got to, the run finishes against the replay, not the network.
        upstream.let_through(len(upstream.works))
        join_import_threads()


def sign_in_to_the_admin(page, live_server, next_path="/admin/works/importrun/"):
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", "pw-123456!")
    page.click("input[type=submit]")


def test_staff_start_an_import_and_see_the_progress_bar_reach_100(
    page, live_server, staff_reviewer, held_upstream
):
    sign_in_to_the_admin(page, live_server)
    page.get_by_role("link", name="Start an import").click()
    page.check("input[name=source][value=openalex]")
    page.fill("#id_identifier", "https://openalex.org/A5017898742")
    page.click("input[value='Start import']")

    # Not one page of works has been let through: a form that waited for the run would still
    # be waiting, so the progress page showing at all means it did not.
    page.wait_for_selector("#run-progress")
    progress = page.locator("#run-progress")
    assert progress.get_attribute("data-status") in ("queued", "running")
    assert page.locator("ul.messagelist li.info").inner_text().startswith("Import run ")
    assert page.locator("ul.messagelist li.success").count() == 0
    page.evaluate("window.__noReload = true")  # survives only if the page is never reloaded
    assert page.get_by_role("button", name="Cancel run").is_visible()

    # htmx polls the partial every second: the page follows the run as pages come through.
    held_upstream.let_through(4)
    expect(progress).to_contain_text("(4 of 9 records)", timeout=30_000)
    expect(progress).to_have_attribute("data-status", "running")
    expect(progress.locator(".run-percent")).to_have_text("44%")
    held_upstream.let_through(5)
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
    # The run fails before the page opens: this test is about how the failure reads, and the
    # start form's answer-at-once path is the progress-bar test's. (Raced against an import
    # thread, the suite's in-memory SQLite refuses a read with "table is locked" at once,
    # where a real database file waits for the writer.)
    run = runs.start_openalex_import("A5017898742", staff_reviewer)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_to_the_admin(page, live_server, f"/admin/works/importrun/{run.pk}/change/")
    page.wait_for_selector("#run-progress[data-status=failed]", timeout=15_000)

    message = page.locator("#run-progress .run-error__message")
    assert message.inner_text() == (
        "OpenAlex has no record with this id. Check the id and start a new import."
    )
    technical = page.locator("#run-progress .run-error__details")
    assert "PermanentError: OpenAlex has no record at" not in technical.inner_text().split("\n")[0]
    assert not technical.locator("code").is_visible()  # collapsed until asked for
    technical.locator("summary").click()
    expect(technical.locator("code")).to_be_visible()
    expect(technical.locator("code")).to_contain_text("PermanentError: OpenAlex has no record at")

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
