"""Configuration checks: a production deployment that would run but misbehave fails loudly.

They run with every management command; the deployment ones with ``check --deploy``.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.database, deploy=True)
def check_production_database(app_configs, **kwargs):
    if settings.DEBUG or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return []
    return [
        Error(
            "Production (DJANGO_DEBUG=false) is running on SQLite.",
            hint="Set DATABASE_URL to a PostgreSQL database, e.g. postgres://user:pw@host/bzpeer.",
            id="bzpeer.E001",
        )
    ]


@register(deploy=True)
def check_production_broker(app_configs, **kwargs):
    if settings.DEBUG or settings.REDIS_URL:
        return []
    return [
        Error(
            "Production (DJANGO_DEBUG=false) has no Celery broker: imports would run inside "
            "web requests.",
            hint="Set REDIS_URL, e.g. redis://redis:6379/0, and run a Celery worker and beat.",
            id="bzpeer.E002",
        )
    ]


@register(deploy=True)
def check_openalex_credentials(app_configs, **kwargs):
    if settings.OPENALEX_API_KEY:
        return []
    return [
        Warning(
            "OPENALEX_API_KEY is not set: OpenAlex refuses un-keyed list calls, so author "
            "imports will fail.",
            hint="Get a key from OpenAlex and set OPENALEX_API_KEY (and OPENALEX_EMAIL).",
            id="bzpeer.W001",
        )
    ]


@register()
def check_site_url(app_configs, **kwargs):
    """Every email links to BZPEER_SITE_URL: in production it must be the public address."""
    if settings.DEBUG:
        return []
    from django.http.request import split_domain_port, validate_host

    from bzpeer.site import site_base_url, site_domain

    if not settings.BZPEER_SITE_URL:
        return [
            Warning(
                "BZPEER_SITE_URL is not set: emails link to "
                f"{site_base_url()}, guessed from ALLOWED_HOSTS.",
                hint="Set BZPEER_SITE_URL to the site's public address, e.g. "
                "https://bzpeer.example.org.",
                id="bzpeer.W002",
            )
        ]
    host, _port = split_domain_port(site_domain())
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return [
            Warning(
                f"BZPEER_SITE_URL's host {host!r} is not in ALLOWED_HOSTS: the links in every "
                "email would answer 400.",
                hint="Add the host to ALLOWED_HOSTS, or correct BZPEER_SITE_URL.",
                id="bzpeer.W003",
            )
        ]
    return []
