"""Settings shared by every profile; each value that differs between machines comes from the
environment (see `.env.example`)."""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path.cwd()

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.is_file():
    env.read_env(str(env_file))

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    # Background tasks (feed scans): django-tasks, the backport of Django 6's django.tasks, with
    # its database backend (a separate package since django-tasks 0.12); `forandra worker`
    # (django-tasks-db's `db_worker` with a heartbeat and a careful stop) runs them.
    "django_tasks",
    "django_tasks_db",
    "forandra.core",
    "forandra.accounts",
    "forandra.municipalities",
    "forandra.maturity",
    "forandra.scanning",
    "forandra.programme",
    "forandra.ideas",
    "forandra.plans",
    "forandra.regional",
    "forandra.api",
    "forandra.transfer",
    "forandra.webhooks",
    "forandra.privacy",
]

MIDDLEWARE = [
    # First: a request id for every request, and one log line per request (docs/admin.md).
    "forandra.core.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "forandra.core.middleware.SwedishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless its view says `login_not_required`.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "forandra.urls"
WSGI_APPLICATION = "forandra.wsgi.application"

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
                "forandra.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'forandra.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; the busy timeout makes a second writer
    # wait for the lock instead of failing at once. IMMEDIATE takes the write lock at the start
    # of a transaction, so two writers never deadlock on an upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:start"
LOGOUT_REDIRECT_URL = "core:start"

# django-axes: five wrong passwords for one username from one address lock that pair for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# django-axes names the client in its log lines by the path only, without user name or address
# (those stay in its access attempts, in the admin): no personal data in the logs.
AXES_CLIENT_STR_CALLABLE = "forandra.core.logs.axes_client_str"

LANGUAGE_CODE = "sv"
# British English dates for the English interface (see forandra/formats/en/formats.py).
FORMAT_MODULE_PATH = ["forandra.formats"]
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "forandra_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))
# Uploaded files (the programme's material). They are served only through views that check who
# may read them, never straight from this folder; back it up with the database.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
# The largest file a workshop's material may be, in bytes (default 20 MB).
PROGRAMME_MATERIAL_MAX_BYTES = env.int("PROGRAMME_MATERIAL_MAX_BYTES", default=20 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Förändra <noreply@localhost>")

# No inline script or style anywhere: every script and stylesheet is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Shown on the accessibility statement as the address for reports.
ACCESSIBILITY_CONTACT_EMAIL = env.str("ACCESSIBILITY_CONTACT_EMAIL", default="")
ACCESSIBILITY_STATEMENT_DATE = env.str("ACCESSIBILITY_STATEMENT_DATE", default="2026-11-27")

# Logs go to standard error (journald keeps them under systemd): one line per request with its
# request id, user id and duration, and what the application reports. LOG_FORMAT=json writes one
# JSON object per line. No query strings, form data, names or e-mail addresses are logged.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING")
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "forandra.core.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"()": "forandra.core.logs.TextFormatter"},
        "json": {"()": "forandra.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT.strip().lower() == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL.upper()},
    "loggers": {
        "forandra.requests": {"level": "INFO" if LOG_REQUESTS else "WARNING"},
        # The development server's own request lines carry query strings: ours replace them.
        "django.server": {"handlers": [], "level": "INFO", "propagate": False},
        # SQL with its parameters (personal data) is not logged, whatever LOG_LEVEL says.
        "django.db.backends": {"level": "INFO"},
    },
}

# Each process keeps computed maturity scores (keyed by a version that changes with the counts)
# and rendered survey forms; room for a few thousand rounds. CACHE_URL may name a shared cache.
CACHES = {
    "default": env.cache(
        "CACHE_URL",
        default="locmemcache://forandra",
    )
}
CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 5000)

# Maturity surveys: no breakdown or comparison shows fewer survey responses than this.
MATURITY_MIN_GROUP_SIZE = env.int("MATURITY_MIN_GROUP_SIZE", default=5)

# Scanning: feeds are fetched only from public internet addresses; hosts named here (e.g. a
# local feed server for the demo or tests) are allowed although they resolve to internal ones.
SCANNING_ALLOWED_HOSTS: list[str] = env.list("SCANNING_ALLOWED_HOSTS", default=[])

# Background tasks: stored in the database and run by `forandra worker` (a separate process;
# `make run` starts one beside the development server). Tests run them at once, in the caller.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Readiness (/readyz, `forandra check`): the worker must have been seen within this many seconds.
READY_WORKER_MAX_AGE = env.int("READY_WORKER_MAX_AGE", default=300)
# On SIGTERM the worker finishes the task in hand if it takes at most this many more seconds;
# otherwise it stops the task and puts it back in the queue. Keep systemd's TimeoutStopSec longer.
WORKER_STOP_GRACE = env.float("WORKER_STOP_GRACE", default=60.0)
# Health probes answer over plain HTTP on the loopback address, without the HTTPS redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- API (forandra.api) ---
# --- end API ---

# --- Webhooks (forandra.webhooks) ---
# --- end webhooks ---

# --- Single sign-on (OpenID Connect) ---
# --- end single sign-on ---

# --- Personal data (forandra.privacy) ---
# --- end personal data ---
