"""Tests: like development, with a fast password hasher (argon2 is slow by design)."""

from .development import *  # noqa: F403 (a settings profile extends the base namespace)

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
