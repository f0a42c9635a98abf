"""The pages people meet, with data on them, and a browser signed in as one of the cast."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

# Where the browser tests leave their screenshots (README: "Screenshots"); git ignores it.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WIDTHS = (1280, 390)


@pytest.fixture
def site(db, owner, follower, staff_reviewer):
    """Joseph Mearman's recorded neighbourhood with its graph, someone following him (with a
    notification), and a claim on another record waiting in the staff queue."""
    from accounts import notifications
    from accounts.models import Notification
    from follows import actions as follow_actions
    from graph.actions import refresh_researchers
    from tests.factories_claims import ClaimFactory, verify_email
    from tests.search.recorded import import_recorded
    from works.models import Researcher

    mearman = import_recorded()
    refresh_researchers(Researcher.objects.values_list("pk", flat=True))
    for user in (owner, follower, staff_reviewer):
        verify_email(user)
    follow_actions.follow(follower, mearman)
    notifications.notify(
        follower,
        Notification.Kind.FOLLOWED_PUBLISHED,
        "Joseph Mearman published a new work.",
        mearman.get_absolute_url(),
    )
    other = Researcher.objects.exclude(pk=mearman.pk).order_by("pk").first()
    ClaimFactory(researcher=other, claimant=owner)
    from works.models import ImportRun

    run = ImportRun.objects.create(
        source="openalex",
        target="A5017898742",
        status="failed",
        requested_by=staff_reviewer,
        errors=[
            {
                "at": "2026-12-02T10:00:00+00:00",
                "kind": "TransientError",
                "detail": "ConnectionError talking to https://api.openalex.org/authors/A5017898742"
                " (gave up after 3 attempts)",
            }
        ],
    )
    from claims.actions import make_email_token

    third = Researcher.objects.exclude(pk__in=[mearman.pk, other.pk]).order_by("pk").first()
    waiting = ClaimFactory(
        researcher=third,
        claimant=follower,
        evidence="email",
        status="awaiting_email",
        institutional_email="follower@bangor.ac.uk",
    )
    return {"mearman": mearman, "other": other, "run": run, "token": make_email_token(waiting)}


def open_as(browser, live_server, user, width: int):
    """A browser page of the given width, signed in as ``user`` (None: signed out)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page
