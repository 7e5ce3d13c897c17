"""FAC's timestamps against FAC's clock: a billing application that writes its local time.

Laravel with `APP_TIMEZONE=Africa/Libreville` (its usual setting) on a MySQL server in UTC
writes local times into TIMESTAMP columns: every `updated_at` runs an hour ahead of the
server's own clock. The sync stays correct (its cursor never passes FAC's clock), but how
long a change took and how far OPS lags behind would be off by the zone. A fresh change
tells the zone: it is ahead of FAC's clock by the zone's offset less a few seconds.
"""

import math
from datetime import timedelta

AHEAD_NOTICED = timedelta(minutes=10)  # less: clocks that drift, not a zone
ZONE_STEP = timedelta(minutes=15)  # every time zone is a whole number of quarter hours from UTC
ZONE_AT_MOST = timedelta(hours=14)  # more: a date typed wrong, not a zone


def zone_offset(ahead: timedelta) -> timedelta:
    """How far FAC's timestamps run ahead of FAC's clock, from how far a fresh change is ahead of it.

    The change is a little older than its timestamp says, so the offset is `ahead` rounded up
    to the next quarter hour; zero under AHEAD_NOTICED or over ZONE_AT_MOST.
    """
    if not AHEAD_NOTICED < ahead <= ZONE_AT_MOST:
        return timedelta(0)
    return ZONE_STEP * math.ceil(ahead / ZONE_STEP)


def without_offset(age: timedelta, offset: timedelta) -> timedelta:
    """An age measured against FAC's timestamps, without their offset; never below zero."""
    return max(age - offset, timedelta(0))
