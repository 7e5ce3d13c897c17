"""Where each table's sync stands (SyncState): written here, and only here.

A table's state changes once its transaction has applied (`state_save`: its cursor, the rows to
read again, its success) and once its run is recorded (`state_last_run_set`). A dry run, --verify
and a failed table leave it as it was.
"""

from django.utils import timezone

from syncapp.engine.cursor import aware
from syncapp.engine.outcome import TableOutcome
from syncapp.engine.plan import FacSeen
from syncapp.models import SyncRun, SyncState


def state_of(table: str) -> SyncState:
    """The table's state; a new one, not saved, before its first run applies."""
    return SyncState.objects.filter(table=table).first() or SyncState(table=table)


def state_save(
    *,
    state: SyncState,
    outcome: TableOutcome,
    fac_high_id: int | None,
    fac_clock_ahead: int | None,
    seen: FacSeen | None,
    fac_cursor: tuple[str | None, bool],
) -> None:
    """After a table's transaction applied: its cursor, the rows to read again, its success,
    how far FAC's timestamps run ahead of its clock, (adopted tables) the highest FAC id seen so far;
    and for the read side, which never asks FAC's tables, what the run learnt of FAC (its rows and
    newest updated_at, when the plan read them) and the cursor column with whether FAC indexes it."""
    state.cursor = outcome.cursor_after
    state.fac_high_id = fac_high_id
    state.fac_clock_ahead = fac_clock_ahead
    state.retry_ids = list(outcome.failed_ids)
    if outcome.scan_seconds is not None:
        state.fac_scan_seconds = outcome.scan_seconds
    state.last_success_at = timezone.now()
    if seen is not None:
        state.fac_rows, state.fac_newest, state.fac_seen_at = seen.rows, aware(seen.newest), state.last_success_at
    column, indexed = fac_cursor
    state.fac_cursor, state.fac_cursor_indexed = column or "", indexed if column else None
    state.save()


def state_last_run_set(table: str, run: SyncRun) -> None:
    """The run that last applied the table, for its page and --status."""
    SyncState.objects.filter(table=table).update(last_run=run)
