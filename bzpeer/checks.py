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
