"""The site's identity: its name and public address, read from settings.

``BZPEER_SITE_URL`` is the one source of absolute links in emails (claims, invitations,
notifications, digests, allauth's confirmation and password-reset mails), whatever host a request
came in on; ``BZPEER_SITE_NAME`` is the name they sign with. The django.contrib.sites record, which
allauth and the admin read, is rewritten from both after every ``migrate``, which every deployment
runs (compose's migrate service, ``make run-stack``); a second migrate changes nothing.
"""

import logging
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.sites.models import Site
from django.db import router
from django.urls import reverse

from bzpeer.cache import cache_reachable

log = logging.getLogger(__name__)


def site_base_url() -> str:
    """``BZPEER_SITE_URL`` without a trailing slash. Unset in production (bzpeer.W002 warns):
    https on the first named host of ``ALLOWED_HOSTS``, the best guess at the public address."""
    if settings.BZPEER_SITE_URL:
        return settings.BZPEER_SITE_URL.rstrip("/")
    named = [host for host in settings.ALLOWED_HOSTS if host and host[0] not in "*."]
    return f"https://{named[0]}" if named else "http://localhost"


def site_url(path: str = "/") -> str:
    """The absolute address of a site path (``/claims/3/``), for links sent outside the site."""
    return site_base_url() + path


def site_domain() -> str:
    """Host and port, as django.contrib.sites stores them."""
    return urlsplit(site_base_url()).netloc


def current_site() -> Site:
    """The site as settings describe it (unsaved): what emails print, whatever the record says."""
    return Site(id=settings.SITE_ID, domain=site_domain(), name=settings.BZPEER_SITE_NAME)


def sync_site_record(using: str = "default", **kwargs) -> None:
    """post_migrate: the sites record takes the name and domain from settings."""
    if not router.allow_migrate_model(using, Site):
        return
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": site_domain()[:100], "name": settings.BZPEER_SITE_NAME[:50]},
    )
    Site.objects.clear_cache()


# allauth mails whose links allauth builds from the request: the context names and their pages.
_LINKS = {"signup_url": "account_signup", "password_reset_url": "account_reset_password"}
SITE_LINKS = {
    "account/email/unknown_account": _LINKS,
    "account/email/account_already_exists": _LINKS,
}


class SiteAccountAdapter(DefaultAccountAdapter):
    """allauth's emails name the site and link to it as settings say, not as the request's Host
    header or a stale sites record would."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {"current_site": current_site(), **context}
        # The "no account at this address" and "already signed up" mails go to an address the
        # requester typed; allauth builds their links from the request's Host header.
        links = SITE_LINKS.get(template_prefix, {})
        context.update({name: site_url(reverse(page)) for name, page in links.items()})
        super().send_mail(template_prefix, email, context)

    def should_send_confirmation_mail(self, request, email_address, signup: bool) -> bool:
        # Signing in to an unverified account mails its address again, at most once per
        # cooldown counted only in the cache: while Redis is unreachable nothing would count, and
        # a loop of sign-ins would flood that inbox. The link already sent stays valid.
        if not signup and not cache_reachable():
            log.warning("Cache unreachable: no new confirmation mail to %s", email_address.pk)
            return False
        return super().should_send_confirmation_mail(request, email_address, signup)

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth's own construction: the key is one opaque "uidb36-key" path segment.
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))
