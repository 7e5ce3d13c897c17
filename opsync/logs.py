"""How log records are written, and which are mailed (LOGGING, opsync/settings.py)."""

import logging
import os
import shlex
from logging.handlers import WatchedFileHandler
from pathlib import Path

# The sync log names who failed to log in from where, and quotes the databases' errors: opsync's user
# and group may read it, nobody else (the group, for the administrators who read the journal too).
LOG_MODE, LOG_FOLDER_MODE = 0o640, 0o750


class LogFile(WatchedFileHandler):
    """The sync log, made 0640 by whoever writes first (cron's shell, gunicorn, a command), whatever their
    umask; and opened again once logrotate has moved it away, so that the rotation needs no copytruncate
    (which loses the lines written between its copy and its truncation)."""

    def _open(self):
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, LOG_MODE)
        return open(descriptor, self.mode, encoding=self.encoding, errors=self.errors)


def cron_output(log: Path) -> str:
    """What follows a crontab line's command: its output appended to the log. The log's folder must exist
    before the shell opens the log, so the output goes through a pipe whose other end makes the folder
    first; and cron's umask (022) would make both readable by everyone."""
    folder, file = shlex.quote(str(log.parent)), shlex.quote(str(log))
    return f"2>&1 | {{ umask 027; mkdir -p {folder} && cat >> {file}; }}"


class WithoutTraceback(logging.Formatter):
    """One line per record, its traceback left out: for a 400, the client's own mistake (an unknown Host, a
    filter the admin refuses), where a traceback in the journal would only say where Django noticed it."""

    def formatException(self, exc_info) -> str:
        return ""


def server_error(record: logging.LogRecord) -> bool:
    """Whether a record is worth a mail: anything but a 5xx that a view answered on purpose. /healthz/sync
    answers 503 while the sync is stale, to whoever asks: that is its answer to the monitor, and the sync's
    own alerts already tell the ADMINS, once; a mail per call would let anyone fill their mailbox."""
    answered = record.name == "django.request" and record.exc_info is None
    return not (answered and getattr(record, "status_code", 500) >= 500)
