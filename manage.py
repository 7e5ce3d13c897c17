#!/usr/bin/env python
"""Django's command-line utility for opsync: whatever goes wrong ends in one line, never a traceback."""

import os
import sys


class ClosedPipeQuiet:
    """Standard output that outlives its reader (`… | head -1`): once the pipe is closed, what is left
    goes nowhere and the command ends as it would have, with its own exit status."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            self.reader_gone()
            return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            self.reader_gone()

    def reader_gone(self) -> None:
        os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())  # the buffer's rest, too

    def __getattr__(self, name):
        return getattr(self.stream, name)


def main():
    sys.stdout = ClosedPipeQuiet(sys.stdout)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsync.settings")
    import django
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        # Load the settings and the apps now, so that a bad .env or mapping file stops here
        # with one line that names the variable or the key, instead of a traceback.
        settings.INSTALLED_APPS  # noqa: B018
        django.setup()
    except ImproperlyConfigured as exc:
        if "--status" in sys.argv:  # for a monitor: the Monitoring Plugins' UNKNOWN
            print(f"OPSYNC UNKNOWN - configuration error: {exc}")
            sys.exit(3)
        sys.exit(f"opsync: configuration error: {exc}")
    from syncapp.engine.mirror_tables import MirrorsNotMade

    try:
        execute_from_command_line(sys.argv)
    except MirrorsNotMade as exc:  # migrate: the mirrors it could not make, and what to do
        sys.exit("\n".join(f"opsync: {line}" for line in exc.lines))
    except DatabaseError as exc:  # Django's own commands (migrate, createsuperuser…) on an OPS that is down
        from syncapp.common.messages import render
        from syncapp.config.databases import ops_problem

        sys.exit(f"opsync: {render(ops_problem(exc))}")


if __name__ == "__main__":
    main()
