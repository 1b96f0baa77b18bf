"""Ventanilla's one settings module: every value from the environment, with a demo default."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import structlog
import xstatic.pkg.leaflet
from django.utils.translation import gettext_lazy as _

from ventanilla.core.logs import processors as structlog_processors

BASE_DIR = Path(__file__).resolve().parent
WORK_DIR = Path(os.environ.get("VENTANILLA_HOME", Path.cwd()))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def load_secret_key() -> str:
    """Return SECRET_KEY from the environment, or from a local file created on first use."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = WORK_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = load_secret_key()
DEBUG = env_bool("DEBUG", False)
# Should DEBUG ever be on, its error pages still hide credentials (DATABASE_URL among them).
DEFAULT_EXCEPTION_REPORTER_FILTER = "ventanilla.core.errors.SafeSettingsFilter"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# How many reverse proxies in front of us append to X-Forwarded-For (docs/deploy.md): the
# client address is read that many entries from the right; 0 uses the socket address.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
# Where the world reaches this installation (webhook URLs printed to admins, Twilio signatures).
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# The fake providers and the citizen simulator (`ventanilla fakes`) are for the demo and the
# tests, never for production: installed only when this is on. `ventanilla demo` turns it on
# for the processes it starts; the test run turns it on in ventanilla.core.tests.pytest_plugin.
VENTANILLA_FAKES = env_bool("VENTANILLA_FAKES", False)

INSTALLED_APPS = [
    "ventanilla.apps.VentanillaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ventanilla.core",
    "ventanilla.citizens",
    "ventanilla.channels",
    "ventanilla.cases",
    "ventanilla.streets",
    "ventanilla.conversations",
    "ventanilla.inbox",
    "ventanilla.portal",
    "ventanilla.insights",
    "ventanilla.procedures",
    "ventanilla.appointments",
    "ventanilla.broadcasts",
    "ventanilla.privacy",
    "ventanilla.open311",
    "ventanilla.webhooks_out",
    "ventanilla.webchat",
    "ventanilla.crews",
    "ventanilla.demo",
    *(["ventanilla.fakes"] if VENTANILLA_FAKES else []),
    "ventanilla.apps.VentanillaConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ventanilla.core.middleware.RefuseNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ventanilla.urls"
WSGI_APPLICATION = "ventanilla.wsgi.application"
ASGI_APPLICATION = "ventanilla.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ventanilla.core.context_processors.council",
            ],
        },
    },
]

# -- database -----------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{WORK_DIR / 'ventanilla.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes; IMMEDIATE takes the
    # write lock at BEGIN so two writers queue on busy_timeout instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", "")}
else:
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("POSTGRES_TEST_NAME", "test_ventanilla")}
    if env_bool("DB_POOL", True):
        # Each process (web worker or task worker) holds at most DB_POOL_MAX connections,
        # whatever its threads do; a thread waits DB_POOL_TIMEOUT seconds for one. Budget:
        # (web processes + task workers) x DB_POOL_MAX + a few for psql and migrations
        # must stay under the server's max_connections (100 by default). Django's pool
        # needs CONN_MAX_AGE = 0 (the pool keeps connections, not Django).
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        # a connection the server dropped (restart, failover) is replaced, not handed out
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("DB_POOL_MIN", 1)),
            "max_size": int(os.environ.get("DB_POOL_MAX", 8)),
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", 10)),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- auth ---------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "inbox:login"
LOGIN_REDIRECT_URL = "inbox:queue"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 1  # hours
# Lock a username from one address, never an address alone: behind a reverse proxy every
# clerk may share one, and five typos by a stranger must not lock the whole office out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "ventanilla.core.client_address.client_address"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_TEMPLATE = "inbox/locked_out.html"
# Staff must pass a TOTP second factor; the demo may waive it, production refuses to
# (`ventanilla serve` will not start with it off outside the demo).
OTP_REQUIRED = env_bool("VENTANILLA_OTP_REQUIRED", True)
OTP_TOTP_ISSUER = "Ventanilla"

# -- i18n ---------------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "es")
LANGUAGES = [("es", _("Spanish")), ("ca", _("Catalan")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Madrid")
USE_I18N = True
USE_TZ = True

# -- static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
# Leaflet as the xstatic-leaflet package ships it (htmx comes with django-htmx's app).
STATICFILES_DIRS = [("leaflet", xstatic.pkg.leaflet.BASE_DIR)]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", WORK_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", WORK_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Bigger webhook bodies are refused with 413 (conversations.webhooks); forms share the limit.
WEBHOOK_MAX_BYTES = int(os.environ.get("WEBHOOK_MAX_BYTES", 1024 * 1024))
# A webhook body not in within this many seconds is answered 408 before the database is asked.
# 0: the body is read in the request's own thread, with no limit of ours, which saves a
# thread hop per webhook: only behind a proxy that buffers request bodies (docs/deploy.md).
WEBHOOK_READ_SECONDS = float(os.environ.get("WEBHOOK_READ_SECONDS", 10))
# Threads per web process that read webhook bodies (a slow client holds one until dropped).
WEBHOOK_READERS = int(os.environ.get("WEBHOOK_READERS", 256))
DATA_UPLOAD_MAX_MEMORY_SIZE = WEBHOOK_MAX_BYTES
# "worker": a verified webhook is stored and answered at once; workers process the stored
# deliveries in batches (conversations.ingest). "inline": processed within the request too.
WEBHOOK_PROCESSING = os.environ.get("WEBHOOK_PROCESSING", "worker")
# A stored delivery whose processing keeps failing is marked failed (kept, never dropped)
# after this many attempts; processed ones are deleted after these many hours.
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", 8))
WEBHOOK_DELIVERIES_KEEP_HOURS = int(os.environ.get("WEBHOOK_DELIVERIES_KEEP_HOURS", 24))
# On PostgreSQL the webhooks that arrive together in one web process are stored with one
# INSERT and one commit (each is answered after its commit); a request waits this long at most.
WEBHOOK_GROUP_COMMIT = env_bool("WEBHOOK_GROUP_COMMIT", True)
WEBHOOK_WRITE_TIMEOUT = float(os.environ.get("WEBHOOK_WRITE_TIMEOUT", 10))

# -- e-mail --------------------------------------------------------------------------------
# Replies to residents who write by e-mail, and any mail Django sends, go through this server.
# The defaults reach `ventanilla demo`'s local sink, which records mail and delivers nothing.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 1025))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ventanilla@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The mail gateway (`ventanilla mail_gateway`) refuses bigger messages with 552.
MAIL_MAX_BYTES = int(os.environ.get("MAIL_MAX_BYTES", 25 * 1024 * 1024))

# -- background work ----------------------------------------------------------------------
# TASKS_BACKEND is "database" (the default: the queue is a table of DATABASE_URL, nothing more
# to run) or "rq" (django-tasks-rq: the queue lives in Redis at REDIS_URL, for installations
# whose database is busy with the queue; docs/deploy.md says when). Any other value is a
# django-tasks backend's dotted path. Delivery state, rate limits and the outbox stay in the
# database with either.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
# The queues in the order a worker takes from them: replies and other sends first, bulk work
# (retention, imports) last.
TASK_QUEUES = ["send", "default", "bulk"]
# Redis has no priorities: with rq, tasks below the default priority (a broadcast's fan-out)
# wait in this queue, which workers take from last (core.rq_backend).
TASKS_LOW_PRIORITY_QUEUE = "low"
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "rq": "ventanilla.core.rq_backend.RQBackend",
        }.get(TASKS_BACKEND, TASKS_BACKEND),
        "QUEUES": [*TASK_QUEUES, TASKS_LOW_PRIORITY_QUEUE]
        if TASKS_BACKEND == "rq"
        else TASK_QUEUES,
    }
}
# A task RUNNING this long (seconds) is taken to be a dead worker's and queued again by
# `ventanilla worker`: keep it above the longest task (a send waits at most 40 s on a provider).
TASKS_RECLAIM_AFTER = float(os.environ.get("TASKS_RECLAIM_AFTER", 15 * 60))
# Finished task rows are deleted after these many days (failed ones are kept longer, for staff
# to inspect); the pruning is a periodic job (core.schedule).
TASKS_KEEP_DAYS = int(os.environ.get("TASKS_KEEP_DAYS", 2))
FAILED_TASKS_KEEP_DAYS = int(os.environ.get("FAILED_TASKS_KEEP_DAYS", 30))
# With TASKS_BACKEND=rq: the Redis server (redis://[:password@]host:port/db; rediss:// for
# TLS). Every queue is there; a job running longer than TASKS_RECLAIM_AFTER is stopped and
# one whose worker died is queued again after that long.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {
    name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": int(TASKS_RECLAIM_AFTER)}
    for name in [*TASK_QUEUES, TASKS_LOW_PRIORITY_QUEUE]
}
RQ_SHOW_ADMIN_LINK = False
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db") + 1, "django_rq")

# A provider's Retry-After longer than this (seconds) is cut to it.
SEND_RETRY_AFTER_MAX = int(os.environ.get("SEND_RETRY_AFTER_MAX", 15 * 60))
# Outbound dispatch (conversations.delivery_tasks): each worker sends up to SEND_CONCURRENCY
# messages at once over kept-alive connections; a dispatcher claims SEND_BATCH messages at a
# time, runs SEND_RUN_SECONDS before handing over, and up to SEND_DISPATCHERS_PER_CHANNEL
# run for one busy channel (on as many workers). A message claimed by a worker that died is
# sent again (same idempotency key) after SEND_LEASE_SECONDS; keep it above a send's timeout.
SEND_CONCURRENCY = int(os.environ.get("SEND_CONCURRENCY", 32))
SEND_BATCH = int(os.environ.get("SEND_BATCH", 100))
SEND_RUN_SECONDS = float(os.environ.get("SEND_RUN_SECONDS", 5))
SEND_DISPATCHERS_PER_CHANNEL = int(os.environ.get("SEND_DISPATCHERS_PER_CHANNEL", 2))
SEND_LEASE_SECONDS = float(os.environ.get("SEND_LEASE_SECONDS", 60))

# -- security -----------------------------------------------------------------------------
# Behind a reverse proxy that ends TLS and sets X-Forwarded-Proto (docs/deploy.md), Django
# knows a request was https only when told to believe that header: absolute links (Open311,
# feeds) then say https://, and HSTS is sent. Only set it if the proxy always overwrites the
# header; otherwise a client could claim https itself.
if env_bool("SECURE_PROXY_SSL", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Browsers that saw this header use https only for this long (seconds; 0 sends none).
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
TILES_URL = os.environ.get("TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")


def tiles_origin(url: str) -> str:
    """Return the CSP source for a Leaflet tiles URL (``{s}.`` subdomains become ``*.``)."""
    parts = urlsplit(url.replace("{s}.", "x-subdomain."))
    return f"{parts.scheme}://{parts.netloc}".replace("x-subdomain.", "*.")


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", tiles_origin(TILES_URL)],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# /metrics answers only a request with "Authorization: Bearer <METRICS_TOKEN>"; unset, 404.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Key for channel secrets at rest (Fernet); derived from SECRET_KEY when not given.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")

# -- product ------------------------------------------------------------------------------
# On in the processes `ventanilla demo` starts: the demo may waive the staff second factor.
VENTANILLA_DEMO = env_bool("VENTANILLA_DEMO", False)
VENTANILLA_DEFAULT_COUNCIL = os.environ.get("VENTANILLA_COUNCIL", "")
PRIVACY_POLICY_URL = os.environ.get("PRIVACY_POLICY_URL", "")
AT_RISK_MARGIN_HOURS = int(os.environ.get("AT_RISK_MARGIN_HOURS", 24))
ATTACH_WINDOW_DAYS = int(os.environ.get("ATTACH_WINDOW_DAYS", 7))
# A resolved case the resident says is still not fixed is reopened within this many days of
# its resolution; after that a new case is opened, linked to it.
REOPEN_WINDOW_DAYS = int(os.environ.get("REOPEN_WINDOW_DAYS", 30))
PUBLIC_GRID_METRES = float(os.environ.get("PUBLIC_GRID_METRES", 50))
# "Me too" clicks on the portal allowed per address and hour (each browser counts once anyway).
PORTAL_SUPPORTS_PER_HOUR = int(os.environ.get("PORTAL_SUPPORTS_PER_HOUR", 20))
# The portal's report form: reports sent per client address and hour, the least time (seconds)
# a person takes to fill it in (faster is a robot), the largest photo (bytes), and the
# distance (metres) and age (days) within which an open case of the same category is offered
# as a duplicate first.
PORTAL_REPORTS_PER_HOUR = int(os.environ.get("PORTAL_REPORTS_PER_HOUR", 5))
PORTAL_REPORT_MIN_SECONDS = float(os.environ.get("PORTAL_REPORT_MIN_SECONDS", 4))
PORTAL_REPORT_PHOTO_MAX_BYTES = int(os.environ.get("PORTAL_REPORT_PHOTO_MAX_BYTES", 8_000_000))
PORTAL_DUPLICATE_METRES = float(os.environ.get("PORTAL_DUPLICATE_METRES", 50))
PORTAL_DUPLICATE_DAYS = int(os.environ.get("PORTAL_DUPLICATE_DAYS", 30))
# Open311 requests created per client address and hour (every web process counts together).
OPEN311_POSTS_PER_HOUR = int(os.environ.get("OPEN311_POSTS_PER_HOUR", 60))
FAKES_URL = os.environ.get("VENTANILLA_FAKES_URL", "")
# The web chat: the largest photo a resident may send (bytes), and the sites (origins such as
# https://www.ayuntamiento.example, space-separated) that may show the chat in a frame with
# the embeddable script; the portal's own pages always may.
WEBCHAT_MAX_PHOTO_BYTES = int(os.environ.get("WEBCHAT_MAX_PHOTO_BYTES", 8 * 1024 * 1024))
WEBCHAT_EMBED_ORIGINS = os.environ.get("WEBCHAT_EMBED_ORIGINS", "").split()
# Messages one chat visitor may post per hour (one client address: five times as many).
WEBCHAT_POSTS_PER_HOUR = int(os.environ.get("WEBCHAT_POSTS_PER_HOUR", 120))
# Live-update rows for open inbox pages are deleted once they are this old.
LIVE_EVENTS_KEEP_MINUTES = int(os.environ.get("LIVE_EVENTS_KEEP_MINUTES", 60))

# -- logging ------------------------------------------------------------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
structlog.configure(
    processors=structlog_processors(json=env_bool("LOG_JSON", False)),
    logger_factory=structlog.stdlib.LoggerFactory(),
    cache_logger_on_first_use=True,
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
