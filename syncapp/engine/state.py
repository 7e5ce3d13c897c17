"""Where each table's sync stands (SyncState): written here, and only here.

A table's state changes once its transaction has applied (`state_save`: its cursor, the rows to
read again, its success) and once its run is recorded (`state_last_run_set`). A dry run, --verify
and a failed table leave it as it was.
"""

from django.utils import timezone

from syncapp.engine.outcome import TableOutcome
from syncapp.models import SyncRun, SyncState


def state_of(table: str) -> SyncState:
    """The table's state; a new one, not saved, before its first run applies."""
    return SyncState.objects.filter(table=table).first() or SyncState(table=table)


def state_save(
    *, state: SyncState, outcome: TableOutcome, fac_high_id: int | None, fac_clock_ahead: int | None
) -> None:
    """After a table's transaction applied: its cursor, the rows to read again, its success,
    how far FAC's timestamps run ahead of its clock, and (adopted tables) the highest FAC id seen so far."""
    state.cursor = outcome.cursor_after
    state.fac_high_id = fac_high_id
    state.fac_clock_ahead = fac_clock_ahead
    state.retry_ids = list(outcome.failed_ids)
    if outcome.scan_seconds is not None:
        state.fac_scan_seconds = outcome.scan_seconds
    state.last_success_at = timezone.now()
    state.save()


def state_last_run_set(table: str, run: SyncRun) -> None:
    """The run that last applied the table, for its page and --status."""
    SyncState.objects.filter(table=table).update(last_run=run)
