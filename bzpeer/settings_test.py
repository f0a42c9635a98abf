"""The test suite's settings: the project's settings, and each way the tests differ, once.

pytest-django loads this module (``DJANGO_SETTINGS_MODULE`` in pyproject.toml); a test that
starts a Django process of its own (a gunicorn, a one-off script) passes it on the same way.
With ``REDIS_URL`` set (CI), the cache is the real Redis cache and mail takes the worker path
(``BZPEER_EMAIL_VIA_WORKER``), as in production; the root conftest.py plays the worker's part
in-process, so ``mail.outbox`` still sees every message. Without it, a local-memory cache and
mail sent in-process, as in development.
"""

import os
from pathlib import Path

from bzpeer.settings import *  # noqa: F403
from bzpeer.settings import DATABASES, REDIS_CACHE, REDIS_URL, STORAGES, env

# MD5: every test user's password is hashed, and PBKDF2 would cost a quarter second each.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Test clients log in without a request, which axes refuses; its own tests turn it back on.
AXES_ENABLED = False

# One cache serves every request a test makes from 127.0.0.1: only the throttle tests, which set
# their own rates, may meet a limit.
BZPEER_API_ANON_RATE = "100000/minute"
BZPEER_API_USER_RATE = "100000/minute"

# A connection per request, as in development: a connection kept open by a live server thread or
# a child process would keep the test database from being dropped. A test may ask for more.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)

# Static files from the source folders, also in production-like child processes (DEBUG off):
# no collectstatic, and no manifest to go stale.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# With Redis, the production cache under a prefix of this run's own (database name and process),
# so suites sharing one Redis database never read or empty each other's keys (the autouse
# fixture in conftest.py empties this prefix before each test). Without Redis, local memory.
if REDIS_URL:
    _database = Path(str(DATABASES["default"]["NAME"])).name
    CACHES = {"default": {**REDIS_CACHE, "KEY_PREFIX": f"tests:{_database}:{os.getpid()}"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Pages are rendered on every request: most tests change data inside one transaction that never
# commits; the page cache tests turn it on (tests/bzpeer/test_page_cache.py).
BZPEER_PAGE_CACHE = False
