"""WSGI entry point (gunicorn opsync.wsgi)."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsync.settings")
try:
    application = get_wsgi_application()
except ImproperlyConfigured as exc:  # one line in the service's log, as manage.py says it
    sys.exit(f"opsync: configuration error: {exc}")
