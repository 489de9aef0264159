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
    # Single sign-on (OpenID Connect): answers only the provider's callback, when configured.
    "forandra.accounts.sso.SSOBackend",
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
# django-ninja as an app: its Swagger UI (/api/docs) is served from our static files, no CDN.
INSTALLED_APPS += ["ninja"]
# The longest a personal API token may be valid, in days.
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
# Requests per client address without a user (the survey endpoints), e.g. "120/min".
API_RATE_ANONYMOUS = env.str("API_RATE_ANONYMOUS", default="120/min")
# Requests per user, with a token or signed in, e.g. "1200/min".
API_RATE_SIGNED_IN = env.str("API_RATE_SIGNED_IN", default="1200/min")
# --- end API ---

# --- Webhooks (forandra.webhooks) ---
# Webhooks are sent only to public internet addresses (the rule of scanning's feeds, checked when
# a webhook is saved and on the resolved address before each connection); hosts named here (e.g.
# a local receiver in tests) are allowed although they resolve to internal ones.
WEBHOOKS_ALLOWED_HOSTS: list[str] = env.list("WEBHOOKS_ALLOWED_HOSTS", default=[])
# Seconds one delivery attempt may take in all (connecting, sending, the receiver's answer).
WEBHOOKS_TIMEOUT = env.float("WEBHOOKS_TIMEOUT", default=5.0)
# Attempts per delivery, the first included; retries wait 1 min, 5 min, 30 min, 2 h, then 12 h.
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=6)
# --- end webhooks ---

# --- Single sign-on (OpenID Connect) ---
# On when the client id, its secret and the provider's endpoints are set: a discovery URL, or
# the authorization, token and JWKS endpoints (userinfo optional). Off, the login page has no
# button and /oidc/ answers 404. The discovery document is read at the first sign-in, not at
# start, and kept for an hour; an unreachable provider never stops the site. See docs/admin.md.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_DISCOVERY_URL = env.str("OIDC_OP_DISCOVERY_URL", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email")
OIDC_EMAIL_CLAIM = env.str("OIDC_EMAIL_CLAIM", default="email")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="")
# Fixed: accounts are never created by a sign-in (an admin makes them), PKCE protects the code,
# and no call to the provider waits longer than 10 seconds.
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
# A sign-in through the provider has no password to guess: django-axes neither counts nor locks
# it (it still logs the sign-in). See forandra.accounts.sso.axes_exempt.
AXES_WHITELIST_CALLABLE = "forandra.accounts.sso.axes_exempt"
# --- end single sign-on ---

# --- Personal data (forandra.privacy) ---
# How many days the link a resident gets by e-mail (to see, download and delete their data) works.
PRIVACY_RESIDENT_LINK_DAYS = env.int("PRIVACY_RESIDENT_LINK_DAYS", default=7)
# At most this many requests for such a link per hour from one client address (then 429).
PRIVACY_REQUESTS_PER_HOUR = env.int("PRIVACY_REQUESTS_PER_HOUR", default=5)
# At most this many links per day to one e-mail address; further requests send nothing.
PRIVACY_LINKS_PER_DAY = env.int("PRIVACY_LINKS_PER_DAY", default=3)
# --- end personal data ---
