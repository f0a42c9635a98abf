"""Account pages speak like the rest of the site: sentence case, people named by the name
they chose."""

import re

import pytest

pytestmark = pytest.mark.django_db

TITLE_CASE = re.compile(r"\b[A-Z][a-z]+ (?:[A-Z][a-z]+)\b")


def _headings_buttons_and_labels(html: str) -> list[str]:
    parts = re.findall(r"<(h1|h2|button|label|title)\b[^>]*>(.*?)</\1>", html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for _, text in parts]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/accounts/login/", "Sign in"),
        ("/accounts/signup/", "Sign up"),
        ("/accounts/password/reset/", "Password reset"),
    ],
)
def test_account_pages_are_in_sentence_case(client, path, expected):
    html = client.get(path).content.decode()
    texts = _headings_buttons_and_labels(html)
    assert expected in texts, texts
    title_cased = [t for t in texts if TITLE_CASE.search(t) and "bzpeer" not in t]
    assert title_cased == [], title_cased


def test_signed_in_account_pages_are_in_sentence_case(client, follower):
    client.force_login(follower)
    for path, expected in (
        ("/accounts/email/", "Email addresses"),
        ("/accounts/password/change/", "Change password"),
        ("/accounts/logout/", "Sign out"),
    ):
        texts = _headings_buttons_and_labels(client.get(path).content.decode())
        assert expected in texts, (path, texts)
        assert [t for t in texts if TITLE_CASE.search(t)] == [], (path, texts)


def test_the_compiled_catalogue_matches_its_source():
    """locale/en/LC_MESSAGES/django.mo is compiled from django.po (msgfmt); edit both."""
    import gettext
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"
    source = (folder / "django.po").read_text()
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', source, re.M)
    assert len(pairs) > 40
    with (folder / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    assert {msgid: catalogue.gettext(msgid) for msgid, _ in pairs} == dict(pairs)
