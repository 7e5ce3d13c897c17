"""How log records are written, and which are mailed (LOGGING, opsync/settings.py)."""

import logging


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
