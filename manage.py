#!/usr/bin/env python
"""Django's command-line utility for opsync."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsync.settings")
    import django
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # Load the settings and the apps now, so that a bad .env or mapping file stops here
        # with one line that names the variable or the key, instead of a traceback.
        settings.INSTALLED_APPS  # noqa: B018
        django.setup()
    except ImproperlyConfigured as exc:
        sys.exit(f"opsync: configuration error: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
