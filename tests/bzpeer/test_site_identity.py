"""Every email names bzpeer and links to BZPEER_SITE_URL's host, whatever host the request used;
the sites record follows the settings on migrate."""

import re

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from bzpeer.site import site_url, sync_site_record
from follows.digest import send_digest
from follows.models import Follow
from tests.factories import AuthorshipFactory, InstitutionFactory, ResearcherFactory
from tests.factories_claims import verify_email

pytestmark = pytest.mark.django_db

SITE = "https://peers.example.net"
PASSWORD = "a-Long-unusual-passphrase-42"


@pytest.fixture
def site(settings):
    """The public address differs from the test client's host (testserver) and port 8000."""
    settings.BZPEER_SITE_URL = SITE
    settings.BZPEER_SITE_NAME = "bzpeer"
    return SITE


def links_in(message) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", message.body)


def assert_names_bzpeer_and_links_only_to_the_site(message):
    links = links_in(message)
    assert links, message.body
    assert all(link.startswith(SITE + "/") for link in links), links
    assert "example.com" not in message.body
    assert "testserver" not in message.body
    assert ":8000" not in message.body


@pytest.fixture
def record():
    bangor = InstitutionFactory(display_name="Bangor", homepage_url="https://www.bangor.ac.uk/")
    return ResearcherFactory(display_name="Ada Researcher", last_known_institution=bangor)


def test_the_sign_up_confirmation_says_bzpeer_and_links_to_the_site(client, site):
    client.post(
        "/accounts/signup/",
        {
            "display_name": "Ada Newcomer",
            "email": "site-identity@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    message = mail.outbox[-1]
    assert message.subject.startswith("[bzpeer] ")
    assert "Hello from bzpeer!" in message.body
    assert "Thank you for using bzpeer!" in message.body
    assert_names_bzpeer_and_links_only_to_the_site(message)
    assert f"{SITE}/accounts/confirm-email/" in message.body


def test_the_password_reset_mail_links_to_the_site(client, site, owner):
    client.post("/accounts/password/reset/", {"email": owner.email})
    message = mail.outbox[-1]
    assert "Hello from bzpeer!" in message.body
    assert_names_bzpeer_and_links_only_to_the_site(message)
    (link,) = [link for link in links_in(message) if "/password/reset/key/" in link]
    # The link works on the site it names.
    page = client.get(link.removeprefix(SITE), follow=True)
    assert page.status_code == 200


def test_the_claim_email_links_to_the_site_not_the_request_host(
    client, site, owner, record, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("claims:start", args=[record.pk]),
            {"evidence": "email", "institutional_email": "ada@bangor.ac.uk"},
        )
    message = mail.outbox[-1]
    assert message.to == ["ada@bangor.ac.uk"]
    assert "bzpeer" in message.body
    assert_names_bzpeer_and_links_only_to_the_site(message)
    (link,) = links_in(message)
    assert client.get(link.removeprefix(SITE)).status_code == 200


def test_the_invitation_email_links_to_the_site(
    client, site, stranger, owner, record, django_capture_on_commit_callbacks
):
    record.owner = owner
    record.open_to_collaborate = True  # the owner invites collaboration
    record.save()
    verify_email(stranger)
    client.force_login(stranger)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("claims:invite", args=[record.pk]),
            {"subject": "Joint grant?", "message": "We work on the same fluids."},
        )
    message = mail.outbox[-1]
    assert message.to == [owner.email]
    assert message.subject.startswith("[bzpeer] ")
    assert_names_bzpeer_and_links_only_to_the_site(message)


def test_the_weekly_digest_links_to_the_site(site, follower, django_capture_on_commit_callbacks):
    researcher = ResearcherFactory()
    Follow.objects.create(user=follower, researcher=researcher)
    AuthorshipFactory(researcher=researcher)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digest(follower) == 1
    message = mail.outbox[-1]
    assert message.subject.startswith("[bzpeer] ")
    assert_names_bzpeer_and_links_only_to_the_site(message)
    assert f"{SITE}{reverse('follows:feed')}" in message.body


def test_a_trailing_slash_in_the_setting_makes_no_double_slash(settings):
    settings.BZPEER_SITE_URL = SITE + "/"
    assert site_url("/claims/3/") == f"{SITE}/claims/3/"


def test_production_without_the_setting_uses_https_on_the_first_named_host(settings):
    settings.BZPEER_SITE_URL = ""
    settings.ALLOWED_HOSTS = [".example.org", "bzpeer.example.org", "localhost"]
    assert site_url("/") == "https://bzpeer.example.org/"


def test_migrate_keeps_the_sites_record_in_step_with_the_settings(site):
    Site.objects.update_or_create(pk=1, defaults={"domain": "example.com", "name": "example.com"})
    Site.objects.clear_cache()
    call_command("migrate", "sites", verbosity=0)
    current = Site.objects.get_current()
    assert (current.domain, current.name) == ("peers.example.net", "bzpeer")
    # A second run changes nothing.
    sync_site_record()
    assert Site.objects.count() == 1
    assert Site.objects.get(pk=1).domain == "peers.example.net"


def test_a_password_reset_for_an_unknown_address_links_to_the_site_not_the_request_host(
    client, site
):
    # allauth answers an unknown address with a "no account here, sign up" mail to whatever
    # address was typed: its link must not take the host the request came in on.
    client.post(
        "/accounts/password/reset/", {"email": "nobody-here@example.org"}, HTTP_HOST="testserver"
    )

    (message,) = mail.outbox
    assert message.to == ["nobody-here@example.org"]
    assert_names_bzpeer_and_links_only_to_the_site(message)
    assert SITE + reverse("account_signup") in links_in(message)


def test_signing_up_with_a_taken_address_mails_links_to_the_site(client, site, owner):
    client.post(
        "/accounts/signup/",
        {
            "display_name": "Someone Else",
            "email": owner.email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert_names_bzpeer_and_links_only_to_the_site(message)
