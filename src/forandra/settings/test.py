"""Tests: like development, with a fast password hasher (argon2 is slow by design)."""

import tempfile

from .development import *  # noqa: F403 (a settings profile extends the base namespace)

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
# A task runs at once, inside enqueue(): tests see its effect without a worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Development lets scans reach 127.0.0.1 (the demo's feeds); tests allow it only where they say
# so (tests/scanning/conftest.py, `allow_loopback`), so the address rule itself stays tested.
SCANNING_ALLOWED_HOSTS = []
WEBHOOKS_ALLOWED_HOSTS = []  # the same for webhooks (tests/webhooks allow their receiver)
# Uploads go to a folder of their own per test run, never into the working copy.
MEDIA_ROOT = tempfile.mkdtemp(prefix="forandra-test-media-")
