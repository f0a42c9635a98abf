"""bzpeer settings: one module, read from the environment.

Development runs with nothing set (SQLite, Celery tasks in-process). With ``DJANGO_DEBUG`` false
the project refuses to start without ``DJANGO_SECRET_KEY``; the deployment checks in
``bzpeer/checks.py`` also insist on a real database and broker.
"""

import os
import re
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def forget_empty_variables() -> None:
    """Empty means the default, for every variable: `.env.example` copied as it stands (and
    compose's env_file) sets many to "", which would read as an empty URL, number or list."""
    for name in [name for name, value in os.environ.items() if value == ""]:
        del os.environ[name]


# The environment wins over .env (DJANGO_ENV_FILE names another file); an empty variable in
# either counts as unset, so .env can still fill one the environment left empty.
forget_empty_variables()
environ.Env.read_env(env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)
forget_empty_variables()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-deploy")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random string of 50+ characters "
            "when DJANGO_DEBUG is false."
        )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sites",
]
THIRD_PARTY_APPS = [
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "rest_framework.authtoken",
    # Accounts: email sign-up with verification, ORCID sign-in, login throttling.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.orcid",
    "axes",
]
LOCAL_APPS = [
    "bzpeer",
    "profiles",
    "works",
    "graph",
    "claims",
    "follows",
    "accounts",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous visits to public pages, answered from the cache before the layers below.
    "bzpeer.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # While Redis is down, refuse sign-up and password-reset mails rather than skip their limits.
    "bzpeer.cache.MailNeedsCacheMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bzpeer.urls"
WSGI_APPLICATION = "bzpeer.wsgi.application"
SITE_ID = 1
# The site's public address (scheme, host, port) and name: every link and signature in an email
# comes from them (bzpeer/site.py), and so does the django.contrib.sites record, rewritten on
# each migrate. Unset in production: https on the first ALLOWED_HOSTS name, and bzpeer.W002 warns.
BZPEER_SITE_URL = env.str("BZPEER_SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
BZPEER_SITE_NAME = env.str("BZPEER_SITE_NAME", default="bzpeer")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Databases ---------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections in production: a page no longer pays a PostgreSQL connection set-up
# (a fork and authentication, several milliseconds). The health check replaces a connection the
# server dropped (a PostgreSQL restart, an idle timeout) before a request uses it, instead of
# failing that request. Development opens one per request, as Django does by default.
DATABASES["default"].setdefault(
    "CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0 if DEBUG else 60)
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# Statement timeouts (PostgreSQL), in milliseconds; 0 sets none (the server's default holds).
# Web requests get the short one (bzpeer/wsgi.py switches its process to it, see
# bzpeer/statement_timeout.py), so a query ends with its request instead of running on after the
# worker gave up; commands, imports and Celery get the background one (none by default: a first
# snapshot load builds its search indexes for many minutes).
BZPEER_WEB_STATEMENT_TIMEOUT_MS = env.int("BZPEER_WEB_STATEMENT_TIMEOUT_MS", default=5000)
BZPEER_BACKGROUND_STATEMENT_TIMEOUT_MS = env.int(
    "BZPEER_BACKGROUND_STATEMENT_TIMEOUT_MS", default=0
)
if min(BZPEER_WEB_STATEMENT_TIMEOUT_MS, BZPEER_BACKGROUND_STATEMENT_TIMEOUT_MS) < 0:
    raise ImproperlyConfigured("Statement timeouts are milliseconds, 0 or more (0: none set).")
if IS_POSTGRES and BZPEER_BACKGROUND_STATEMENT_TIMEOUT_MS:
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = (
        f"{_db_options.get('options', '')} "
        f"-c statement_timeout={BZPEER_BACKGROUND_STATEMENT_TIMEOUT_MS}"
    ).strip()

# Celery --------------------------------------------------------------------------------------
# Without REDIS_URL, tasks run in-process (eagerly): `make run` needs no broker.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TIMEZONE = "UTC"
# Periodic work (Celery beat). Each task lives in its app's tasks.py. The weekly jobs are crontab
# entries, due at a wall-clock time: an interval entry counts from beat's last start when its
# schedule file is lost, so a beat restarted more often than weekly never ran them.
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-import-runs": {
        "task": "works.tasks.sweep_stale_import_runs",
        "schedule": crontab(minute="*/5"),
    },
    "refresh-followed-and-claimed-researchers": {
        "task": "follows.tasks.refresh_followed_and_claimed_researchers",
        "schedule": crontab(minute=0, hour=2, day_of_week="sunday"),
    },
    "send-weekly-digests": {
        "task": "follows.tasks.send_weekly_digests",
        "schedule": crontab(minute=0, hour=7, day_of_week="monday"),
    },
}
# Beat's record of when each entry last ran (Celery's default: a file in beat's working folder).
# In a container, point it at a volume: a beat restarted just after a due time with its record
# lost would skip that week's run.
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default="celerybeat-schedule"
)

# The cache holds rate-limit counters (API throttles, allauth's limits) and the page cache
# (bzpeer/page_cache.py). While Redis is unreachable it answers as an empty cache, so limits
# fail open, pages are rendered and no request fails; see
# bzpeer/cache.py for the sign-up and password-reset mails it refuses meanwhile. Short socket
# timeouts keep an unreachable Redis from stalling every request.
REDIS_CACHE = {
    "BACKEND": "bzpeer.cache.FailOpenRedisCache",
    "LOCATION": REDIS_URL,
    "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
}
CACHES = {
    "default": (
        REDIS_CACHE if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Auth ----------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out login is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Sign-up also asks the name other people see (accounts.Profile), never the generated username.
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
# allauth's pages, messages and emails name people the way the rest of the site does.
ACCOUNT_USER_DISPLAY = "accounts.names.person_name"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # Confirming is a POST from the confirmation page.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[bzpeer] "
ACCOUNT_ADAPTER = "bzpeer.site.SiteAccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"
SOCIALACCOUNT_STORE_TOKENS = False
# ORCID sign-in appears only when both credentials are set (sandbox: ORCID_BASE_DOMAIN).
ORCID_CLIENT_ID = env.str("ORCID_CLIENT_ID", default="")
ORCID_SECRET = env.str("ORCID_SECRET", default="")
SOCIALACCOUNT_PROVIDERS = {
    "orcid": {
        "BASE_DOMAIN": env.str("ORCID_BASE_DOMAIN", default="orcid.org"),
        "MEMBER_API": env.bool("ORCID_MEMBER_API", default=False),
        "APPS": (
            [{"client_id": ORCID_CLIENT_ID, "secret": ORCID_SECRET, "key": ""}]
            if ORCID_CLIENT_ID and ORCID_SECRET
            else []
        ),
    }
}
# Login brute force: lock a (username, IP) pair after AXES_FAILURE_LIMIT failures. Failures are
# counted in the database, not the cache, so lockouts hold while Redis is down.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "claims.login_throttle.username_from_credentials"
# The client's address as the API throttles take it (DJANGO_NUM_PROXIES): behind a proxy, the
# connection's address is the proxy's and would lock every visitor out together.
AXES_CLIENT_IP_CALLABLE = "claims.login_throttle.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# I18N / time -------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
# Our wording for third-party strings: sentence case for allauth's Title Case (locale/en/).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# Static --------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where bin/build-static collects to and production serves from (CI uses a temporary folder).
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Development serves static files from the source folders, no collectstatic needed.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security --------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers and the compose healthcheck probe over plain http.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SILENCED_SYSTEM_CHECKS = env.list("DJANGO_SILENCED_SYSTEM_CHECKS", default=[])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# Email ---------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
# Seconds before a silent mail server counts as down (a transient failure the task retries);
# Django's default is to wait forever.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=20)
# A real mail server: EMAIL_URL=smtp+tls://user:password@smtp.example.org:587
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="bzpeer <noreply@localhost>")
# With a broker, a worker sends mail (retrying while the server is down); without one, it is
# sent in-process.
BZPEER_EMAIL_VIA_WORKER = bool(REDIS_URL)

# REST API ------------------------------------------------------------------------------------
# Throttle rates, "<requests>/<second|minute|hour|day>": anonymous clients by address, signed-in
# clients by user, each meeting only its own throttle (bzpeer/throttling.py).
BZPEER_API_ANON_RATE = env.str("BZPEER_API_ANON_RATE", default="120/minute")
BZPEER_API_USER_RATE = env.str("BZPEER_API_USER_RATE", default="600/minute")
# A rate DRF cannot read would fail every API request with a 500: refuse to start instead.
for _name, _rate in [
    ("BZPEER_API_ANON_RATE", BZPEER_API_ANON_RATE),
    ("BZPEER_API_USER_RATE", BZPEER_API_USER_RATE),
]:
    if not re.fullmatch(r"[0-9]+/(s|sec|second|m|min|minute|h|hour|d|day)", _rate):
        raise ImproperlyConfigured(
            f'{_name} must be "<requests>/<second|minute|hour|day>", e.g. "120/minute"; '
            f"got {_rate!r}."
        )
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Token first: its WWW-Authenticate header makes a refused request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "bzpeer.throttling.AnonymousRateThrottle",
        "bzpeer.throttling.SignedInRateThrottle",
    ],
    # Reverse proxies in front of gunicorn that append to X-Forwarded-For. At 0 the client's
    # own address is used, so a forged X-Forwarded-For header cannot buy a fresh budget.
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
    "DEFAULT_PAGINATION_CLASS": "bzpeer.api.params.CappedPageNumberPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "bzpeer.api.errors.api_exception_handler",
}
# allauth's sign-in, sign-up and password-reset limits count by address too: the same proxies.
ALLAUTH_TRUSTED_PROXY_COUNT = REST_FRAMEWORK["NUM_PROXIES"]
SPECTACULAR_SETTINGS = {
    "TITLE": "bzpeer API",
    "DESCRIPTION": "Researcher profiles, works, collaborators and trust.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Upstream services -----------------------------------------------------------------------------
OPENALEX_API_KEY = env.str("OPENALEX_API_KEY", default="")
OPENALEX_EMAIL = env.str("OPENALEX_EMAIL", default="")

# Product knobs -------------------------------------------------------------------------------
BZPEER_CLOSE_COLLABORATOR_MIN_SHARED_WORKS = env.int(
    "BZPEER_CLOSE_COLLABORATOR_MIN_SHARED_WORKS", default=3
)
BZPEER_WORKS_PER_PAGE = 50
# Anonymous views of public pages come from the cache until any data changes (bzpeer/page_cache.py).
# On by default with Redis, which every process shares; a per-process cache would miss the
# writes of other processes.
BZPEER_PAGE_CACHE = env.bool("BZPEER_PAGE_CACHE", default=bool(REDIS_URL))
BZPEER_PAGE_CACHE_SECONDS = env.int("BZPEER_PAGE_CACHE_SECONDS", default=600)
# Each process also keeps copies of the pages it served, up to this many bytes, and serves them
# while the data generation in Redis still matches (bzpeer/page_cache.py); 0 turns that off.
BZPEER_PAGE_CACHE_LOCAL_BYTES = env.int("BZPEER_PAGE_CACHE_LOCAL_BYTES", default=32 * 2**20)
# An import run whose heartbeat is older than this is resumed (or failed) by the sweeper.
BZPEER_IMPORT_STALE_SECONDS = env.int("BZPEER_IMPORT_STALE_SECONDS", default=600)
# Direct collaboration invitations one sender may send in 24 hours.
BZPEER_INVITATIONS_PER_DAY = env.int("BZPEER_INVITATIONS_PER_DAY", default=5)
# Claims one user may open in 24 hours (each may mail an institution and needs review).
BZPEER_CLAIMS_PER_DAY = env.int("BZPEER_CLAIMS_PER_DAY", default=5)
# Corrections (log entries) one record owner may make in 24 hours: "not mine", added works,
# merge requests, identity edits and their undoing all count.
BZPEER_CORRECTIONS_PER_DAY = env.int("BZPEER_CORRECTIONS_PER_DAY", default=50)
# How long an institutional-email claim link stays valid.
BZPEER_CLAIM_EMAIL_MAX_AGE_HOURS = env.int("BZPEER_CLAIM_EMAIL_MAX_AGE_HOURS", default=72)
BZPEER_FEED_PAGE_SIZE = 50

# Logs go to stderr; DJANGO_LOG_FORMAT=json writes one JSON object a line for a log collector.
DJANGO_LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="") or "text"
if DJANGO_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT must be 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "bzpeer.json_logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": DJANGO_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
# Celery workers and beat log through the handler above too when JSON is asked for; otherwise
# Celery keeps its own (text) format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = DJANGO_LOG_FORMAT != "json"
