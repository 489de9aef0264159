"""Benchmark settings: the production profile, unchanged except for the URLconf.

Why production and not development with DEBUG=False: production is what gunicorn serves, so the
figures should include what it adds (whitenoise's manifest storage, persistent DB connections
with CONN_MAX_AGE, the security middleware's settings). The harness supplies the environment it
requires (bench/server.py): a throwaway SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, a temporary SQLite
DATABASE_URL (production means PostgreSQL; SQLite keeps the benchmark self-contained, and an
anonymous start page reads little), a temporary STATIC_ROOT filled by collectstatic, and
SECURE_SSL_REDIRECT=false because there is no TLS proxy in front of gunicorn on loopback.
"""

from forandra.settings.production import *  # noqa: F403 (a settings profile extends the profile)

ROOT_URLCONF = "benchsite.urls"
