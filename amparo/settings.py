"""Amparo settings, driven by AMPARO_* environment variables (see README).

Development defaults are safe: DEBUG is off unless asked for, the database is
SQLite under AMPARO_DATA_DIR. With AMPARO_ENV=production the process refuses
to start until its secret key, allowed hosts and database URL are set.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from amparo.lib.env import env, envbool, envint, envlist, envsecret, require
from amparo.reference.country_names import OVERRIDES as COUNTRY_NAMES

BASE_DIR = Path(__file__).resolve().parent.parent

AMPARO_ENV = env("AMPARO_ENV", "development")
if AMPARO_ENV not in {"development", "production"}:
    raise ValueError("AMPARO_ENV must be 'development' or 'production'")
PRODUCTION = AMPARO_ENV == "production"

DATA_DIR = Path(env("AMPARO_DATA_DIR", str(BASE_DIR / "var"))).resolve()

if PRODUCTION:
    SECRET_KEY = require("AMPARO_SECRET_KEY", envsecret("AMPARO_SECRET_KEY"))
    ALLOWED_HOSTS = envlist("AMPARO_ALLOWED_HOSTS")
    require("AMPARO_ALLOWED_HOSTS", ",".join(ALLOWED_HOSTS))
    DATABASE_URL = require("AMPARO_DATABASE_URL", envsecret("AMPARO_DATABASE_URL"))
else:
    # A fixed development key: it protects nothing that matters (no real case
    # data lives in a development database) and keeps sessions across restarts.
    SECRET_KEY = envsecret("AMPARO_SECRET_KEY") or "development-only-insecure-key-" + "x" * 40
    ALLOWED_HOSTS = envlist("AMPARO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
    DATABASE_URL = envsecret("AMPARO_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'amparo.sqlite3'}"

DEBUG = envbool("AMPARO_DEBUG", False) and not PRODUCTION

INSTALLED_APPS = [
    "amparo.core",
    "amparo.accounts",
    "amparo.audit",
    "amparo.reference",
    "amparo.cases",
    "amparo.intake",
    "amparo.notify",
    "amparo.protection",
    "amparo.reports",
    "amparo.operations",
    "amparo.consent",
    "amparo.referrals",
    "amparo.demo",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses HTML after every later middleware has written the body (and pads it
    # against BREACH): see amparo/core/compression.py.
    "amparo.core.compression.HtmlGZipMiddleware",
    "amparo.core.middleware.security_headers",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "amparo.core.middleware.refuse_control_characters",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "amparo.core.middleware.database_unavailable",
]

ROOT_URLCONF = "amparo.urls"
WSGI_APPLICATION = "amparo.wsgi.application"

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
                "amparo.core.context_processors.desk",
            ],
        },
    }
]

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let concurrent requests wait for the writer
    # instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"

# Languages: the public side ships English, French, Spanish and Arabic.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Day before month in English too (amparo/formats); the other languages keep Django's.
FORMAT_MODULE_PATH = ["amparo.formats"]
LOCALE_PATHS: list[Path] = []
# The UN's names for the few countries where ISO 3166 and the situations differ.
COUNTRIES_OVERRIDE = COUNTRY_NAMES

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, serve straight from the apps' static folders so that
# neither `make run` nor the tests depend on a collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "files"
# Every upload, on every view, is encrypted as it arrives: Django's default
# handler would write any file over 2.5 MB to a temporary file in clear.
FILE_UPLOAD_HANDLERS = ["amparo.intake.uploads.EncryptedUploadHandler"]

# Cache: local memory by default; Redis when configured. Nothing readable is
# ever put in the cache (see docs/threat-model.md).
REDIS_URL = envsecret("AMPARO_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "amparo",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The questionnaire, the desk's texts, the emergency contacts and the reference lists
# are kept per worker process for at most this long (amparo.lib.process_cache): a
# change made through the application shows in every worker within a second (through
# Redis); this bounds one made behind its back. 0 reads them on every request.
AMPARO_PUBLIC_CACHE_SECONDS = envint("AMPARO_PUBLIC_CACHE_SECONDS", 60)

# Sessions live in the database so that logout and expiry really end them;
# they never hold a usable key (see amparo/accounts).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = envint("AMPARO_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True  # the age above is an idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_NAME = "amparo_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_NAME = "amparo_csrf"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_FAILURE_VIEW = "amparo.core.views.csrf_failure"
LANGUAGE_COOKIE_SAMESITE = "Strict"

# Transport security. Behind a TLS-terminating reverse proxy the proxy sets
# X-Forwarded-Proto; an onion service without TLS sets AMPARO_HTTPS=0.
HTTPS = envbool("AMPARO_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and envbool("AMPARO_SSL_REDIRECT", True)
if envbool("AMPARO_BEHIND_PROXY", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("AMPARO_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# The preload token only signals consent; nothing is submitted to browser
# vendors unless the operator does it.
SECURE_HSTS_PRELOAD = HTTPS and envbool("AMPARO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": other sites never learn which page linked
# to them (the privacy goal), but Chromium sends `Origin: null` on form posts
# under "no-referrer", which defeats CSRF origin checking and rejects every
# form over HTTPS. Same-origin requests keep a real Origin and Referer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = envlist("AMPARO_CSRF_TRUSTED_ORIGINS")
# The header a trusted reverse proxy sets to the client's address (e.g.
# X-Real-IP), used only for attempt counters in the cache; empty: REMOTE_ADDR.
AMPARO_CLIENT_ADDRESS_HEADER = env("AMPARO_CLIENT_ADDRESS_HEADER")

# Nothing from another origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
        "manifest-src": [SELF],
    }
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)

# Desk identity shown in the layout.
AMPARO_DESK_NAME = env("AMPARO_DESK_NAME", "Amparo")
AMPARO_QUICK_EXIT_URL = env("AMPARO_QUICK_EXIT_URL", "https://www.wikipedia.org/")
# Key-derivation cost: only the test settings turn this on.
AMPARO_INSECURE_FAST_KDF = False

# Logging: the application never logs a client address, user agent or request
# body; the filter drops the request object that Django attaches to records.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_request": {"()": "amparo.lib.logging.DropRequestDetails"},
        "quiet_host": {"()": "amparo.lib.logging.QuietDisallowedHost"},
        "redact_paths": {"()": "amparo.lib.logging.RedactPaths"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_request", "redact_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": env("AMPARO_LOG_LEVEL", "INFO")},
    "loggers": {
        # runserver's access log; off by default so addresses never reach it.
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # A bad Host header: one quiet line, without the attacker's value or a traceback.
        "django.security.DisallowedHost": {"filters": ["quiet_host"]},
        # pikepdf announces its logging bridge at INFO on import: one useless line
        # before every management command's output. Its warnings still come through.
        "pikepdf": {"level": "WARNING"},
    },
}
ADMINS: list[tuple[str, str]] = []

# Messages travel in a signed cookie: they never hold case content, and error
# pages can render them while the database is down.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# Notifications
# E-mail tells staff that something on the desk needs them, never what (see
# docs/notifications.md). Any SMTP relay works; a mail server on this machine
# makes the attempt made inside a request instant and queues onward itself.
EMAIL_HOST = env("AMPARO_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("AMPARO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("AMPARO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envsecret("AMPARO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("AMPARO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("AMPARO_EMAIL_FROM", "amparo@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Addresses for urgent and unassigned reports; empty: every coordinator with one.
AMPARO_ONCALL_EMAIL = envlist("AMPARO_ONCALL_EMAIL")
# Where staff reach the desk, for the sign-in link in notifications.
AMPARO_BASE_URL = env("AMPARO_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Protection (see docs/protection.md): days until a re-assessment is due by
# default, per level; how long an urgent report may wait to be acknowledged
# before the on-call coordinator is alerted; after how many days an
# unanswered reporter message needs attention; the hour (local time) from
# which the daily digest goes out.
AMPARO_REASSESSMENT_DAYS = {
    "critical": envint("AMPARO_REASSESS_CRITICAL_DAYS", 3),
    "high": envint("AMPARO_REASSESS_HIGH_DAYS", 14),
    "medium": envint("AMPARO_REASSESS_MEDIUM_DAYS", 30),
    "low": envint("AMPARO_REASSESS_LOW_DAYS", 90),
}
AMPARO_URGENT_ACK_MINUTES = envint("AMPARO_URGENT_ACK_MINUTES", 120)
AMPARO_UNANSWERED_DAYS = envint("AMPARO_UNANSWERED_DAYS", 3)
AMPARO_DIGEST_HOUR = envint("AMPARO_DIGEST_HOUR", 7)

# Intake (see docs/intake.md): attachments, abuse limits, receipt stretching.
AMPARO_MAX_FILES = envint("AMPARO_MAX_FILES", 5)
AMPARO_MAX_FILE_BYTES = envint("AMPARO_MAX_FILE_BYTES", 20 * 1024 * 1024)
# Images over this many pixels are refused from their header, before any decoding.
AMPARO_MAX_IMAGE_PIXELS = envint("AMPARO_MAX_IMAGE_PIXELS", 40_000_000)
# Each file that needs decoding is scrubbed in a child process with these bounds.
AMPARO_SCRUB_SECONDS = envint("AMPARO_SCRUB_SECONDS", 15)
AMPARO_SCRUB_MEMORY_MIB = envint("AMPARO_SCRUB_MEMORY_MIB", 768)
# How long a report form stays valid after it was shown (its one-time token).
AMPARO_FORM_MAX_AGE_HOURS = envint("AMPARO_FORM_MAX_AGE_HOURS", 24)
# Submissions (new reports and reporters' messages): per client address and
# for the whole desk, per hour. 0 switches a limit off. Behind Tor every
# visitor shares one address: see docs/intake.md before lowering these.
AMPARO_SUBMISSIONS_PER_CLIENT_PER_HOUR = envint("AMPARO_SUBMISSIONS_PER_CLIENT_PER_HOUR", 20)
AMPARO_SUBMISSIONS_PER_HOUR = envint("AMPARO_SUBMISSIONS_PER_HOUR", 600)
# Follow-up code attempts: per client per 15 minutes, and for the whole desk per minute.
AMPARO_RECEIPT_ATTEMPTS_PER_CLIENT = envint("AMPARO_RECEIPT_ATTEMPTS_PER_CLIENT", 10)
AMPARO_RECEIPT_ATTEMPTS_PER_MINUTE = envint("AMPARO_RECEIPT_ATTEMPTS_PER_MINUTE", 60)
# Concurrent receipt stretching across all workers (19 MiB and one core for
# about 25 ms each, see docs/crypto.md; 0: one per core, at least 2), and how
# many of those slots only new reports may use (0: half of them, at least 1).
AMPARO_STRETCH_SLOTS = envint("AMPARO_STRETCH_SLOTS", 0)
AMPARO_STRETCH_RESERVED = envint("AMPARO_STRETCH_RESERVED", 0)
# Seconds a follow-up attempt waits for a slot before "try again"; a new
# report waits this long, then stretches without a slot rather than fail.
AMPARO_STRETCH_FOLLOW_UP_WAIT = envint("AMPARO_STRETCH_FOLLOW_UP_WAIT", 2)
AMPARO_STRETCH_SUBMISSION_WAIT = envint("AMPARO_STRETCH_SUBMISSION_WAIT", 60)

# Statistics and the annual report (see docs/statistics.md). Cells below the
# threshold are suppressed; the code never accepts less than 3.
AMPARO_STATISTICS_THRESHOLD = max(3, envint("AMPARO_STATISTICS_THRESHOLD", 5))
# First day (MM-DD) of the annual report's default period: 10-01 reports on
# 1 October to 30 September, before the Assembly's December session.
AMPARO_REPORT_YEAR_STARTS = env("AMPARO_REPORT_YEAR_STARTS", "10-01")

# Operations (see docs/operations.md): backups and retention.
# Backups are encrypted to these public keys (from `manage.py backup_keygen`);
# their private halves never live on this server.
AMPARO_BACKUP_PUBLIC_KEYS = envlist("AMPARO_BACKUP_PUBLIC_KEYS")
AMPARO_BACKUP_DIR = env("AMPARO_BACKUP_DIR")
# Days the desk has to answer a reporter's request to delete their report.
AMPARO_DELETION_CONFIRM_DAYS = envint("AMPARO_DELETION_CONFIRM_DAYS", 30)
