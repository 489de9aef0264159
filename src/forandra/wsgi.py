"""WSGI entry point for gunicorn: `gunicorn forandra.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forandra.settings.production")

application = get_wsgi_application()
