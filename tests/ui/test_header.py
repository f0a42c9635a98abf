"""The site header as a person meets it: readable, one line on a desktop, every control
reachable on a phone, signed out, signed in and as staff."""

import pytest

from accounts.actions import set_display_name
from tests.accounts.steps import open_account_menu, sign_in
from tests.factories import ResearcherFactory
from tests.factories_claims import verify_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# WCAG contrast of an element's text against the first opaque background behind it.
CONTRAST_JS = """
(el) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let node = el, bg = null;
  while (node && node.nodeType === 1) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) { bg = c.slice(0, 3); break; }
    node = node.parentElement;
  }
  bg = bg || [255, 255, 255];
  const fg = rgb(getComputedStyle(el).color).slice(0, 3);
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}
"""


def _signed_in(page, live_server, user, path="/"):
    verify_email(user)
    sign_in(page, live_server, user.email, "pw-123456!", path)


CONTROLS = "a, button, input:not([type=hidden]), summary"


def _assert_all_reachable(page, width: int) -> list[str]:
    """Every header control is visible, inside the viewport and would take a click: first
    with the account menu closed, then the menu's own controls with it open (an open menu
    covers what lies under it, as it should)."""
    seen = _assert_reachable(
        page.locator(".site-header").locator(CONTROLS),
        width,
        outside_menu=True,
    )
    if page.locator(".account-menu").count():
        open_account_menu(page)
        seen += _assert_reachable(page.locator(".account-menu__panel").locator(CONTROLS), width)
    return seen


def _assert_reachable(controls, width: int, outside_menu: bool = False) -> list[str]:
    seen = []
    assert controls.count() > 0
    for index in range(controls.count()):
        control = controls.nth(index)
        label = (control.inner_text() or control.get_attribute("name") or "").strip()
        if outside_menu and control.evaluate("el => !!el.closest('.account-menu__panel')"):
            continue
        assert control.is_visible(), label
        box = control.bounding_box()
        assert box is not None, label
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (label, box)
        # trial=True runs Playwright's actionability checks (visible, stable, enabled, not
        # covered by another element) without clicking.
        control.click(trial=True, timeout=2000)
        seen.append(" ".join(label.split()))
    return seen


def test_sign_out_is_readable(page, live_server, follower):
    _signed_in(page, live_server, follower)
    open_account_menu(page)
    sign_out = page.get_by_role("button", name="Sign out")
    assert sign_out.is_visible()
    assert sign_out.evaluate(CONTRAST_JS) >= 4.5


@pytest.mark.parametrize("who", ["visitor", "member", "staff"])
def test_every_header_control_is_reachable_on_a_phone(
    browser, live_server, follower, staff_reviewer, who
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        researcher = ResearcherFactory()
        if who == "visitor":
            page.goto(f"{live_server.url}{researcher.get_absolute_url()}")
        else:
            user = follower if who == "member" else staff_reviewer
            _signed_in(page, live_server, user, researcher.get_absolute_url())
        # Nothing in the page is wider than the phone: no sideways scrolling to find a link.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        seen = _assert_all_reachable(page, PHONE["width"])
        expected = {"Researchers", "Works", "API docs", "Search"}
        if who == "visitor":
            expected |= {"Sign in", "Sign up"}
        else:
            expected |= {"Feed", "Notifications", "Following", "Invitations", "My claims"}
            expected |= {"Sign out"}
        if who == "staff":
            expected |= {"Review claims", "Admin"}
        assert expected <= set(seen), seen
    finally:
        context.close()


def test_the_staff_header_is_one_line_on_a_desktop(browser, live_server, staff_reviewer):
    set_display_name(staff_reviewer, "Alexandra Richardson-Whitfield")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _signed_in(page, live_server, staff_reviewer)
        parts = page.locator(
            ".site-header .brand, .site-search, .site-nav li, .account-menu__toggle"
        )
        middles = []
        for index in range(parts.count()):
            box = parts.nth(index).bounding_box()
            middles.append(box["y"] + box["height"] / 2)
        # One line: every part is centred on the same row, and the header is one row high.
        assert max(middles) - min(middles) < 8, middles
        assert page.locator(".site-header").bounding_box()["height"] < 80
        assert page.get_by_text("Alexandra Richardson").first.is_visible()
        assert "Sign out" in _assert_all_reachable(page, DESKTOP["width"])
    finally:
        context.close()


def test_the_account_menu_closes_like_a_menu(page, live_server, follower):
    _signed_in(page, live_server, follower)
    menu = page.locator("details.account-menu")
    open_account_menu(page)
    page.keyboard.press("Escape")
    assert menu.get_attribute("open") is None
    assert page.evaluate("document.activeElement.matches('.account-menu__toggle')")
    open_account_menu(page)
    page.locator("main").click(position={"x": 5, "y": 5})
    assert menu.get_attribute("open") is None


def test_the_account_menu_works_without_javascript(browser, live_server, follower):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _signed_in(page, live_server, follower)
        open_account_menu(page)
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("link", name="Sign in").wait_for()
    finally:
        context.close()
