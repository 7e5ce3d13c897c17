"""WSGI entry point (gunicorn opsync.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsync.settings")
application = get_wsgi_application()
