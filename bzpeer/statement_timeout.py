"""How long one SQL statement may run on PostgreSQL, by what the process serves.

Web requests get ``BZPEER_WEB_STATEMENT_TIMEOUT_MS``; everything else (management commands and
imports, Celery workers and beat, the shell) gets ``BZPEER_BACKGROUND_STATEMENT_TIMEOUT_MS``
(0: none set, the server's default holds). Without a limit, a query whose client has gone (a
gunicorn worker killed at its own timeout) runs on in PostgreSQL: nothing reads its result and
nothing stops it.

The limit travels in the connection's startup packet (libpq ``options=-c statement_timeout=N``),
so it costs no query per request or per connection. The settings give every process the
background limit; ``bzpeer/wsgi.py`` (gunicorn, and ``runserver``, which loads it too) switches
its process to the web limit before any request.

A statement the limit cancels raises ``django.db.OperationalError`` (from psycopg's
``QueryCanceled``), which ``bzpeer/errors.py`` answers with the 503 "temporarily unavailable"
page or JSON, not a 500. A limit cannot stop everything: PostgreSQL checks it between steps, and
a function that never checks for it (pg_trgm's word_similarity() over a megabyte of text) runs
to its end; hence search only ever compares bounded text (``works/search.py``).
"""

import re

from django.conf import settings
from django.db import connections

_OPTION = re.compile(r"\s*-c\s*statement_timeout=\S+")


def libpq_options(options: str, timeout_ms: int) -> str:
    """``options`` with the statement timeout set to ``timeout_ms`` (other options kept); at 0,
    without one, so the server's own default (``ALTER ROLE ... SET``) holds."""
    kept = _OPTION.sub("", options).strip()
    if not timeout_ms:
        return kept
    return f"{kept} -c statement_timeout={int(timeout_ms)}".strip()


def set_process_timeout(timeout_ms: int) -> None:
    """Every PostgreSQL connection this process opens from now on gets this limit (0: none set).

    The settings dictionaries are the ones the connection objects of every thread read when
    they connect; a connection already open keeps its limit until it is closed.
    """
    for alias in connections:
        settings_dict = connections.settings[alias]
        if settings_dict["ENGINE"] != "django.db.backends.postgresql":
            continue
        options = settings_dict.setdefault("OPTIONS", {})
        options["options"] = libpq_options(options.get("options", ""), timeout_ms)


def serve_web() -> None:
    """Give this process's database work the web requests' limit."""
    set_process_timeout(settings.BZPEER_WEB_STATEMENT_TIMEOUT_MS)
