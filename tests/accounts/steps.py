"""Browser steps the people tests share."""

import re

from django.core import mail


def sign_in(page, live_server, email: str, password: str, next_path: str = "/") -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    wait_until_signed_in(page)


def wait_until_signed_in(page) -> None:
    """The header's account menu (closed, so its "Signed in as" line is not visible yet)."""
    page.wait_for_selector(".account-menu__toggle")


def open_account_menu(page) -> None:
    if page.locator(".account-menu[open]").count() == 0:
        page.locator(".account-menu__toggle").click()


def sign_out(page) -> None:
    open_account_menu(page)
    page.locator("form[action='/accounts/logout/'] button[type=submit]").first.click()
    page.wait_for_selector("text=Sign in")


def last_link_in_outbox(pattern: str) -> str:
    """The first URL matching ``pattern`` in the newest message of the test mailbox."""
    match = re.search(pattern, mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)
