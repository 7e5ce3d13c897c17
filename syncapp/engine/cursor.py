"""The cursor policy: how far a table's incremental sync may say it has read FAC.

The cursor is the newest `updated_at` applied, read from FAC's own data, never from the
application clock. The next incremental run reads from it minus a look-back window.
"""

from datetime import UTC, datetime
from typing import overload


def aware(value: datetime | None) -> datetime | None:
    """A naive UTC datetime (as FAC and the raw queries give them) made aware."""
    return None if value is None else value.replace(tzinfo=UTC)


# A datetime in, a datetime out: only None stays None.
@overload
def naive_utc(value: datetime) -> datetime: ...
@overload
def naive_utc(value: None) -> None: ...
def naive_utc(value: datetime | None) -> datetime | None:
    """As FAC and the raw mirror queries see datetimes: naive, in UTC (sessions run in UTC)."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def next_cursor(
    *,
    previous: datetime | None,
    newest_read: datetime | None,
    fac_now: datetime,
    oldest_failed: datetime | None,
    full: bool,
    held: datetime | None = None,
) -> datetime | None:
    """The newest updated_at read from FAC, but never past FAC's clock nor a row that failed, nor
    where a long FAC transaction holds it (RunContext.cursor_held).

    All naive UTC. FAC's clock caps it because a row dated in the future would otherwise
    hide every change made until that date; a row OPS refused caps it so that it is read
    again; an open transaction's rows are stamped when written and seen when committed. An
    incremental run moves the cursor back only to that transaction; a full run (--force)
    starts it afresh from what it read.
    """
    newest = newest_read
    if not full and previous is not None:
        newest = previous if newest is None else max(newest, previous)
    if newest is None:
        return None
    newest = min(newest, fac_now)
    if oldest_failed is not None:
        newest = min(newest, oldest_failed)
    if held is not None:
        newest = min(newest, held)
    return newest
