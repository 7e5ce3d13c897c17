"""What the read side finds, as data: each table's state, the watcher's, the latency of changes.

The rules that read one record (is a table stale, is a watcher gone) are here, with the record;
what is wrong across them is syncapp/status/problems.py; the queries are selectors.py.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from syncapp.models import SyncTableResult, Watcher
from syncapp.status.levels import Level, stale_after

# A watcher beats every 10 s, in a run too (syncapp/running/watch.py): silent 10 s past that, it is gone.
WATCHER_SILENT_AFTER = Watcher.BEAT_EVERY + timedelta(seconds=10)


@dataclass
class Latency:
    """How long changes took to arrive in OPS (their FAC updated_at to their commit), over LATENCY_OVER."""

    median: float | None
    highest: float | None
    count: int  # table syncs that wrote rows


@dataclass
class WatcherStatus:
    """The newest watcher (`--watch`) by its heartbeat, if one ever ran."""

    record: Watcher | None
    process_gone: bool = False  # on its own machine, its process is known to have ended

    @property
    def alive(self) -> bool:
        if self.record is None or self.record.stopped_at is not None or self.process_gone:
            return False
        return timezone.now() - self.record.beat_at <= WATCHER_SILENT_AFTER

    @property
    def gone(self) -> bool:
        """It stopped beating without saying it stopped: killed, or its machine went down."""
        return self.record is not None and self.record.stopped_at is None and not self.alive

    @property
    def state(self) -> str | None:
        """`watching` or `fac_unreachable` (alive), `stopped` (cleanly), `silent` (gone); None: never ran."""
        if self.record is None:
            return None
        if self.alive:
            return self.record.state
        return "stopped" if self.record.stopped_at is not None else "silent"


@dataclass
class TableStatus:
    table: str
    ops_table: str
    adopted: bool  # the OPS table belongs to the operations application
    last_success_at: datetime | None
    cursor: datetime | None
    ops_live: int | None  # None: not counted (the health check)
    ops_deleted: int | None
    ops_only: int  # adopted tables: the operations application's own rows, left alone
    vanished: int  # rows gone from FAC, kept in OPS (marked deleted where the table has a deleted_at)
    marks_deletions: bool  # the OPS table has a column fed by FAC's deleted_at
    fac_rows: int | None  # as the last run that applied saw FAC (None: none has)
    fac_seen_at: datetime | None  # when that run saw it: fac_rows and lag are as of then
    lag: timedelta | None  # FAC's newest updated_at then, minus the cursor, without FAC's clock offset
    fac_clock_ahead: timedelta  # how far FAC's timestamps run ahead of its clock (syncapp/common/clock.py)
    scans_whole: bool  # FAC had no index on its updated_at: the watcher's early syncs scan it
    cursor_column: str | None  # FAC's updated_at (the cursor), if the table has one
    cursor_index_statement: str  # the CREATE INDEX that spares the scans
    fac_scan_seconds: float | None  # what finding the changes cost FAC in the last run that was not full
    last_result: SyncTableResult | None  # the last run that applied something to this table
    # The last --verify, when it found OPS different and no full run of the table succeeded since:
    # incremental runs after it do not clear it (a late commit beyond the look-back stays missing).
    differs: SyncTableResult | None = None

    @property
    def age(self) -> timedelta | None:
        return None if self.last_success_at is None else timezone.now() - self.last_success_at

    @property
    def stale(self) -> bool:
        """No success within SYNC_STALE_AFTER (or never)."""
        return self.age is None or self.age > stale_after()

    @property
    def late(self) -> bool:
        """Past half of SYNC_STALE_AFTER: not stale yet, but worth a look."""
        age = self.age
        return not self.stale and age is not None and age > stale_after() / 2

    @property
    def level(self) -> Level:
        """CRITICAL: failing or stale; WARNING: rows refused, or late; else OK (from `state`, its one rule)."""
        return STATE_LEVELS[self.state]

    @property
    def state(self) -> str:
        """What is wrong with it, in one word: `failing` (its last run failed), `stale`, `differs` (the
        last --verify found OPS different, not repaired since), `refused` (rows OPS did not store),
        `late`, or `fresh`."""
        status = self.last_result.status if self.last_result else None
        if status == SyncTableResult.Status.FAILED:
            return "failing"
        if self.stale:
            return "stale"
        if self.differs is not None:
            return "differs"
        if status == SyncTableResult.Status.PARTIAL:
            return "refused"
        return "late" if self.late else "fresh"


STATE_LEVELS = {
    "failing": Level.CRITICAL,
    "stale": Level.CRITICAL,
    "differs": Level.WARNING,
    "refused": Level.WARNING,
    "late": Level.WARNING,
    "fresh": Level.OK,
}
