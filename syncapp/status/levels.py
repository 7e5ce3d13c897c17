"""The Monitoring Plugins' levels, which --status exits with, and when a table is stale."""

from datetime import timedelta
from enum import IntEnum

from django.conf import settings


def stale_after() -> timedelta:
    return timedelta(minutes=settings.SYNC_STALE_AFTER)


class Level(IntEnum):
    """The Monitoring Plugins' levels, which --status exits with."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3
