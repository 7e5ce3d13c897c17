"""What one run asks of the engine, and what the engine did to one table."""

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, NotRequired, TypedDict

from django.conf import settings

from syncapp.common.messages import Message, MessageError, in_english
from syncapp.config.mapping import table_names
from syncapp.models import COUNTER, TOTALS, ChangeAction, SyncRun, rows_changed

CHANGES_KEPT = 1000  # changes recorded per table in the run's result (all of them with -v 3)
ROW_ERRORS_KEPT = 100  # refused rows described per table; all are counted, and read again next run


class Change(TypedDict):
    """A row changed, as recorded in SyncTableResult.changes: {"id": 12, "action": "update", "columns": ["nom"]}."""

    id: int
    action: str  # a ChangeAction or, from --verify and adopted tables, a Difference (syncapp.models.runs)
    columns: list[str]


class RowError(TypedDict):
    """A row OPS refused, as recorded in SyncTableResult.row_errors: its message, and that message in English."""

    id: int
    reason: str
    # Absent from the records made before messages were kept, which have only the English.
    code: NotRequired[str]
    params: NotRequired[dict[str, Any]]


@dataclass(frozen=True)
class SyncOptions:
    """What the caller (the command, cron, the dashboard) asks of a run: built once, by the caller."""

    tables: tuple[str, ...] = field(default_factory=table_names)
    force: bool = False
    dry_run: bool = False
    verify: bool = False
    repair: bool = False  # the daily check: a full run, whose repairs are news (mailed)
    allow_mass_delete: bool = False
    keep_all_changes: bool = False
    lookback: timedelta = field(default_factory=lambda: timedelta(seconds=settings.SYNC_LOOKBACK_SECONDS))
    batch_size: int = field(default_factory=lambda: settings.SYNC_BATCH_SIZE)
    max_delete_ratio: float = field(default_factory=lambda: settings.SYNC_MAX_DELETE_RATIO)
    max_delete_floor: int = field(default_factory=lambda: settings.SYNC_MAX_DELETE_FLOOR)
    # The watcher's early syncs: table → FAC's highest id when it last synced the table; those
    # tables get a targeted run (engine/plan.py), the others the incremental one.
    watch_from: tuple[tuple[str, int], ...] = ()

    @property
    def full(self) -> bool:
        """Every row compared (not only those changed since the cursor)."""
        return self.force or self.repair

    @property
    def mode(self) -> str:
        if self.verify:
            return SyncRun.Mode.VERIFY
        if self.repair:
            return SyncRun.Mode.REPAIR
        return SyncRun.Mode.FORCE if self.force else SyncRun.Mode.INCREMENTAL


Progress = Callable[[str, int, int | None], None]  # (table, rows compared, rows in all or None)


@dataclass
class RunContext:
    """One run's options and what it learns as it goes, passed down to every table.

    It lives as long as the run: a fact learnt here (OPS refused LOAD DATA) holds for the
    run's other tables, and for no other run of the same process.
    """

    options: SyncOptions
    on_progress: Progress | None = None
    load_data_refused: bool = False
    # Asked between batches and between tables: True stops the run (the watcher's SIGTERM).
    stop_requested: Callable[[], bool] = lambda: False
    # FAC's clock (naive UTC) when the run began, read once for every table: what caps their cursors.
    fac_now: datetime | None = None
    # How long FAC's oldest transaction that has written rows had been open then, where the reader
    # may see it (SYNC_LOOKBACK_OPEN_TRANSACTIONS): its rows may be stamped that long ago.
    oldest_open: timedelta | None = None

    @property
    def cursor_held(self) -> datetime | None:
        """Where the cursors stop while a FAC transaction that began further back than the look-back
        is still open: before it began, with a minute more for the clocks. Its rows, stamped when it
        wrote them, become visible when it commits; the run after that reads back to them."""
        if self.oldest_open is None or self.fac_now is None:
            return None
        if self.oldest_open + OPEN_TRANSACTION_MARGIN <= self.options.lookback:
            return None  # the look-back reaches it
        return self.fac_now - self.oldest_open - OPEN_TRANSACTION_MARGIN


OPEN_TRANSACTION_MARGIN = timedelta(minutes=1)


class RunStopped(Exception):
    """The run was asked to stop: the table in hand is rolled back whole, the others not begun."""


class TableFailed(MessageError):
    """This table cannot be synced now; its message (syncapp.common.messages) says why, in one line."""


@dataclass
class TableOutcome:
    table: str
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    restored: int = 0
    unchanged: int = 0
    ops_only: int = 0  # adopted tables: OPS rows found that FAC does not have, left alone
    cursor_before: datetime | None = None
    cursor_after: datetime | None = None
    duration: float = 0.0
    problem: Message | None = None  # why the table failed (syncapp.common.messages), if it did
    row_errors: list[RowError] = field(default_factory=list)  # the first ROW_ERRORS_KEPT rows OPS refused
    failed_ids: list[int] = field(default_factory=list)  # all of them: read again next run
    changes: list[Change] = field(default_factory=list)
    differences: int = 0  # --verify: rows where OPS is not FAC
    collisions: int = 0  # adopted tables: FAC rows with the id of an OPS-only row, not written
    loaded: int = 0  # of the inserted rows, those copied by LOAD DATA (engine/bulk.py)
    retryable: bool = False  # failed on a lock wait timeout or deadlock in OPS
    latency: float | None = None  # seconds from the newest change written (its FAC updated_at) to its commit
    attempts: int = 1  # tries at the table (a lock wait timeout or a deadlock in OPS starts it again)
    retry_reason: Message | None = None  # why the last failed try failed
    retry_seconds: float = 0.0  # what the failed tries took
    scan_seconds: float | None = None  # what finding the changes cost FAC (engine/plan.py); None: a full run

    @property
    def error(self) -> str:
        """The problem in English, as the log has it ("" when none)."""
        return in_english(self.problem)

    @property
    def errors(self) -> int:
        return len(self.failed_ids) + self.differences + (1 if self.problem else 0)

    def refuse(self, row_id: int, problem: Message) -> None:
        """A row OPS did not store (or could not be given): counted, and described up to a bound."""
        self.failed_ids.append(row_id)
        if len(self.row_errors) < ROW_ERRORS_KEPT:
            self.row_errors.append({"id": row_id, **problem, "reason": in_english(problem)})

    @property
    def changed(self) -> int:
        return rows_changed(self)

    def counts(self) -> dict[str, int]:
        return {counter: getattr(self, counter) for counter in TOTALS}

    def count(self, action: ChangeAction, rows: int = 1) -> None:
        counter = COUNTER[action]
        setattr(self, counter, getattr(self, counter) + rows)

    def keep(self, change: Change, *, keep_all: bool) -> None:
        """Record a change, up to CHANGES_KEPT of them unless all are wanted."""
        if keep_all or len(self.changes) < CHANGES_KEPT:
            self.changes.append(change)

    def fail(self, problem: Message) -> None:
        """After a rollback nothing was applied: only the problem remains true. What the try counted
        (every count that starts at 0) and kept (every list) is reset, whichever fields there are."""
        for counted in fields(self):
            if counted.type is int and counted.default == 0:
                setattr(self, counted.name, 0)
            elif counted.default_factory is list:
                setattr(self, counted.name, [])
        self.cursor_after = self.cursor_before
        self.problem = problem
