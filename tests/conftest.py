"""The shared cast of users, and paths to the recorded upstream data."""

from pathlib import Path

import pytest

# The recorded upstream responses live once, in the demo folder the production image ships
# (see its PROVENANCE.md); the tests replay the same files that `manage.py load_demo` imports.
RECORDED = Path(__file__).resolve().parents[1] / "works" / "demo"
OPENALEX = RECORDED / "openalex"
ARXIV = RECORDED / "arxiv"
# PostgreSQL: a query that runs away (a plan gone wrong on stale statistics) fails its test after
# this long instead of hanging CI. Creating and dropping the test database keep no limit: both
# may wait for a checkpoint on a busy machine.
SUITE_STATEMENT_TIMEOUT_MS = 60_000


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connections

    from bzpeer.statement_timeout import set_process_timeout

    set_process_timeout(SUITE_STATEMENT_TIMEOUT_MS)
    with django_db_blocker.unblock():
        connections.close_all()
    yield
    set_process_timeout(0)
    with django_db_blocker.unblock():
        connections.close_all()


@pytest.fixture(scope="session", autouse=True)
def one_request_at_a_time_on_in_memory_sqlite():
    """On SQLite in memory, the live server's threads all share the test's one connection, and
    two requests at once (a page and its htmx or slice request) could both wait inside SQLite
    for good: a browser test then hung until CI's deadline. There, the live server answers one
    request at a time (and closes each connection); PostgreSQL keeps the threaded server."""
    from django.core.servers.basehttp import WSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    if connection.vendor != "sqlite":
        yield
        return

    class OneAtATime(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            # LiveServerThread.run has already put the shared connection in this thread.
            super().__init__(*args, **kwargs)

    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = OneAtATime
    yield
    LiveServerThread.server_class = threaded


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user("stranger", "stranger@example.org", "pw-123456!")


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("owner", "owner@bangor.ac.uk", "pw-123456!")


@pytest.fixture
def follower(django_user_model):
    return django_user_model.objects.create_user("follower", "follower@example.org", "pw-123456!")


@pytest.fixture
def staff_reviewer(django_user_model):
    return django_user_model.objects.create_user(
        "reviewer", "reviewer@example.org", "pw-123456!", is_staff=True, is_superuser=True
    )


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download)."""
    import os
    import shutil

    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# Staff by permission. Staff status alone grants nothing; ``staff_reviewer`` above is a superuser.


def staff_with(django_user_model, username, perms=()):
    """A staff user holding exactly these permissions (``app_label.codename``)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        username, f"{username}@example.org", "pw-123456!", is_staff=True
    )
    for name in perms:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


@pytest.fixture
def bare_staff(django_user_model):
    """Staff status and no permission at all."""
    return staff_with(django_user_model, "bare-staff")


@pytest.fixture
def claim_reader(django_user_model):
    """Staff who may read claims (the review queue, anyone's claim) but not decide them."""
    return staff_with(django_user_model, "claim-reader", ["claims.view_claim"])


@pytest.fixture
def claim_reviewer(django_user_model):
    """Staff who may read and decide claims and grant L4: the "Claim reviewers" group's set."""
    return staff_with(
        django_user_model,
        "claim-reviewer",
        ["claims.view_claim", "claims.change_claim", "claims.verify_record"],
    )
