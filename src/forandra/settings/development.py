"""Development: SQLite under ./var, DEBUG on, no configuration needed."""

from .base import *  # noqa: F403 (a settings profile extends the base namespace)
from .base import BASE_DIR, SECRET_KEY

DEBUG = True
SECRET_KEY = SECRET_KEY or "development-only-key-not-for-production"
(BASE_DIR / "var").mkdir(exist_ok=True)
