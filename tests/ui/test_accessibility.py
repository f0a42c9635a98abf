"""Every page a person meets, signed out and signed in, on a desktop and a phone: axe-core finds
no serious or critical accessibility violation, and a screenshot of each is left in
test-artifacts/screenshots/ for a reviewer to look at after the run."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.ui.conftest import SCREENSHOTS, WIDTHS, open_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (name, who, path): who is None (a visitor), "follower" (a signed-in user), "owner" (a
# signed-in user claiming a record) or "staff_reviewer". Paths may name the site's records.
PAGES = [
    ("home", None, "/"),
    ("profile", None, "/researchers/{mearman}/"),
    ("explorer", None, "/researchers/{mearman}/graph/"),
    ("search", None, "/search/?q=Bangor+University"),
    ("sign-in", None, "/accounts/login/"),
    ("home", "follower", "/"),
    ("profile", "follower", "/researchers/{mearman}/"),
    ("explorer", "follower", "/researchers/{mearman}/graph/"),
    ("search", "follower", "/search/?q=mearman"),
    ("claim", "follower", "/researchers/{mearman}/claim/"),
    ("claim-errors", "follower", "/researchers/{mearman}/claim/"),
    ("claim-confirm-email", "follower", "/claims/confirm-email/{token}/"),
    ("following", "follower", "/following/"),
    ("notifications", "follower", "/notifications/"),
    ("claim-review-queue", "staff_reviewer", "/staff/claims/"),
    ("admin-import-start", "staff_reviewer", "/admin/works/importrun/start/"),
    ("admin-import-run", "staff_reviewer", "/admin/works/importrun/{run}/change/"),
]
SERIOUS = {"serious", "critical"}
AXE = Axe()


def _ready(page, name: str) -> None:
    """Wait for what the page loads after the first paint, so axe and the picture see it."""
    if name == "profile":
        page.locator("#graph-slice.graph-slice--loaded").wait_for()
    elif name == "explorer":
        page.locator("#graph-explorer[data-ready=true]").wait_for()
    elif name == "claim-errors":
        page.get_by_role("button", name="Submit claim").click()
        page.locator(".form-error-summary").wait_for()


def _describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("name", "who", "path"), PAGES, ids=[f"{p[0]}-{p[1] or 'visitor'}" for p in PAGES]
)
def test_no_serious_accessibility_violations(
    request, browser, live_server, site, name, who, path, width
):
    user = request.getfixturevalue(who) if who else None
    context, page = open_as(browser, live_server, user, width)
    try:
        response = page.goto(
            live_server.url
            + path.format(mearman=site["mearman"].pk, run=site["run"].pk, token=site["token"])
        )
        assert response.status == 200, (path, response.status)
        _ready(page, name)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{name}-{who or 'visitor'}-{width}.png"
        page.screenshot(path=shot, full_page=True)
        assert shot.stat().st_size > 1000
        results = AXE.run(page)
        serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
        assert not serious, _describe(serious)
    finally:
        context.close()
