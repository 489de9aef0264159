"""Development: SQLite under ./var, DEBUG on, no configuration needed."""

from pathlib import Path

from .base import *  # noqa: F403 (a settings profile extends the base namespace)
from .base import BASE_DIR, SECRET_KEY, STATIC_ROOT

DEBUG = True
SECRET_KEY = SECRET_KEY or "development-only-key-not-for-production"
(BASE_DIR / "var").mkdir(exist_ok=True)
# whitenoise looks for STATIC_ROOT at start; in development runserver serves the app folders.
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)

# The demo's feeds are served by this server itself (static files): let scans reach them.
SCANNING_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# A receiver for webhooks on this machine, for trying them out.
WEBHOOKS_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
