"""Numbers, durations and moments as the reader's language writes them (LANGUAGE_CODE).

For the command, the dashboard, the admin and the mails alike: `12 345` and `85 000,00` in
French, durations rounded, times in Libreville's zone with the zone said.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def numbered(row_id: int | str) -> str:
    """A row or a run by its number, as the language says it: `#7`, `n° 7` (a non-breaking space)."""
    return _("#%(id)s") % {"id": row_id}


def number(value: int | None) -> str:
    return "-" if value is None else formats.number_format(value, force_grouping=True)


class Count(int):
    """A count in a text: it chooses the plural as an int does (ngettext_lazy's named number) and
    prints grouped as the reader's language writes it (2 000 in French), with %s or with {}."""

    def __str__(self) -> str:
        return number(int(self))

    def __format__(self, spec: str) -> str:
        return str(self)


def decimal(value: float) -> str:
    """A setting's figure as written: 2 → `2`, 0.5 → `0,5` (in French)."""
    return formats.number_format(int(value) if value == int(value) else value)


def amount(value: Decimal | None, places: int = 2) -> str:
    """A price or a rate: 85000 → 85 000,00 (in French)."""
    return "-" if value is None else formats.number_format(value, decimal_pos=places, force_grouping=True)


def age(delta: timedelta | None) -> str:
    if delta is None:
        return "-"
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return _("%(n)s s") % {"n": seconds}
    if seconds < 7200:
        return _("%(n)s min") % {"n": seconds // 60}
    if seconds < 3 * 86400:
        return _("%(h)s h %(m)02d") % {"h": seconds // 3600, "m": seconds % 3600 // 60}
    days = seconds // 86400
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


def duration(seconds: float | None) -> str:
    """0.009175416 → "0.01 s"; 75 → "75 s"; 600 → "10 min" (rounded as people read it)."""
    if seconds is None:
        return "-"
    if seconds < 10:  # never « -0,00 s »: two clocks a hair apart
        return _("%(n)s s") % {"n": formats.number_format(round(max(seconds, 0.0), 2), 2)}
    return age(timedelta(seconds=seconds))


def latency(seconds: float | None) -> str:
    """How long a change took to arrive, in whole seconds as FAC's updated_at has it: `< 1 s`,
    `3 s`, `4 min`."""
    if seconds is None:
        return "-"
    if seconds < 1:
        return _("< 1 s")
    return age(timedelta(seconds=round(seconds)))


def local_time(value: datetime | None) -> str:
    """A moment as the people in Libreville read it, with its zone: 2026-11-30 09:05:02 WAT."""
    return "-" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S %Z")
