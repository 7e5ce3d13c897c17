"""The sync of one FAC table into its OPS mirror. Free of printing: callers render outcomes.

For each table, inside one OPS transaction:

1. Check that FAC still has every mirrored column (schema drift fails the table).
2. Find what to read, with one scan per side, the two servers working at once:
   - incremental: per range of 1 000 ids, sums of the ids and the number of FAC rows
     changed since the cursor, less a look-back window. Ranges with changed rows are
     read; ranges whose id sums differ give the new ids (whatever their updated_at:
     NULL, zero date, committed late) and the ids hard-deleted in FAC;
   - full (--force, or the first run): per range, a hash of every row (checksums.py);
     only ranges whose hashes differ are read.
3. Read again the rows that OPS could not store last time.
4. Compare each row read with its mirror row and write only those that differ, a batch
   per statement; a batch OPS refuses is retried row by row, so one bad row is recorded
   and the rest still applies. Rows gone from FAC are marked deleted, never removed.
5. Refuse a run that would mark too many live rows deleted, then move the cursor.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, DataError, IntegrityError, OperationalError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from syncapp import checksums, sql
from syncapp.bulk import BulkLoader, load_refused
from syncapp.mapping import TableMapping
from syncapp.models import SyncState, VanishedRow
from syncapp.readonly import FAC_ALIAS

OPS_ALIAS = "default"
ID_CHUNK = 1000  # ids per range of the id sums
CHANGES_KEPT = 1000  # changes recorded per table in the run's result
bulk_refused = False  # OPS refused LOAD DATA LOCAL once: use upserts for the rest of the process


# MySQL errors about one row's value, which it reports as OperationalError rather than
# DataError: 1292 incorrect date, 1366 incorrect string value (4-byte characters into a
# 3-byte charset), 1265 data truncated, 1367 illegal double value.
ROW_ERROR_CODES = {1265, 1292, 1366, 1367}


def is_row_error(exc: DatabaseError) -> bool:
    """Whether OPS refused a value of a row (rather than failing as a whole)."""
    if isinstance(exc, DataError | IntegrityError):
        return True
    return isinstance(exc, OperationalError) and bool(exc.args) and exc.args[0] in ROW_ERROR_CODES


# MySQL errors after which a table's transaction is simply tried again.
LOCK_ERRORS = {1205: "lock wait timeout", 1213: "deadlock"}


class FacUnreachable(Exception):
    """FAC cannot be reached or refuses the login; the message is safe to show."""


class TableFailed(Exception):
    """This table cannot be synced now; the message says why, in one line."""


def database_error_text(exc: BaseException) -> str:
    """The server's own words (`(1045, "Access denied…")` → `Access denied…`), never a password."""
    args = getattr(exc, "args", ())
    return str(args[-1]) if args else exc.__class__.__name__


def fac_check() -> None:
    """Open the FAC connection, or raise FacUnreachable saying what to check."""
    try:
        connections[FAC_ALIAS].ensure_connection()
    except DatabaseError as exc:
        raise FacUnreachable(
            f"FAC unreachable ({database_error_text(exc)}); check FAC_DB_HOST, FAC_DB_PORT, "
            "FAC_DB_DATABASE, FAC_DB_USERNAME and FAC_DB_PASSWORD"
        ) from None


@dataclass
class SyncOptions:
    force: bool = False
    dry_run: bool = False
    allow_mass_delete: bool = False
    keep_all_changes: bool = False
    on_progress: Callable[[str, int, int | None], None] | None = None
    lookback: timedelta = field(default_factory=lambda: timedelta(seconds=settings.SYNC_LOOKBACK_SECONDS))
    batch_size: int = field(default_factory=lambda: settings.SYNC_BATCH_SIZE)
    max_delete_ratio: float = field(default_factory=lambda: settings.SYNC_MAX_DELETE_RATIO)
    max_delete_floor: int = field(default_factory=lambda: settings.SYNC_MAX_DELETE_FLOOR)


@dataclass
class TableOutcome:
    table: str
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    restored: int = 0
    unchanged: int = 0
    cursor_before: datetime | None = None
    cursor_after: datetime | None = None
    duration: float = 0.0
    error: str = ""
    row_errors: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    differences: int = 0  # --verify: rows where OPS is not FAC
    loaded: int = 0  # of the inserted rows, those copied by LOAD DATA (syncapp/bulk.py)
    retryable: bool = False  # failed on a lock wait timeout or deadlock in OPS

    @property
    def errors(self) -> int:
        return len(self.row_errors) + self.differences + (1 if self.error else 0)

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted + self.restored

    def discard_counts(self) -> None:
        """After a rollback nothing was applied: only the error remains true."""
        self.inserted = self.updated = self.deleted = self.restored = self.unchanged = self.loaded = 0
        self.row_errors = []
        self.changes = []
        self.cursor_after = self.cursor_before


def aware(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def naive_utc(value: datetime | None) -> datetime | None:
    """As FAC and the raw mirror queries see datetimes: naive, in UTC (sessions run in UTC)."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None, microsecond=0)


class TableSync:
    def __init__(self, mapping: TableMapping, options: SyncOptions):
        self.mapping = mapping
        self.options = options
        self.fac = connections[FAC_ALIAS]
        self.ops = connections[OPS_ALIAS]
        self.columns = list(mapping.columns)
        self.updated_at = self.columns.index("updated_at")
        self.deleted_at = self.columns.index("deleted_at")
        self.upsert = sql.upsert_statement(self.ops, mapping.ops_table, [*self.columns, "synced_at"])
        self.state = SyncState.objects.get_or_create(table=mapping.name)[0]
        self.full = options.force or self.state.cursor is None
        self.outcome = TableOutcome(mapping.name, cursor_before=self.state.cursor)
        self.seen: set[int] = set()  # incremental runs only: grows with changes, not table size
        self.vanished = set(VanishedRow.objects.filter(table=mapping.name).values_list("row_id", flat=True))
        self.newest_seen: datetime | None = None
        self.oldest_failed: datetime | None = None
        self.processed = 0
        self.synced_at = naive_utc(timezone.now())

    def run(self) -> TableOutcome:
        started = time.monotonic()
        try:
            self.check_schema()
            if self.ops.vendor == "mysql":
                with self.ops.cursor() as cursor:  # fail fast on a lock, then retry the table
                    cursor.execute("SET SESSION innodb_lock_wait_timeout = %s", [settings.SYNC_LOCK_WAIT_TIMEOUT])
            with transaction.atomic(using=OPS_ALIAS):
                self.apply()
        except TableFailed as exc:
            self.fail(str(exc))
        except DatabaseError as exc:
            code = exc.args[0] if exc.args else None
            self.outcome.retryable = code in LOCK_ERRORS
            name = LOCK_ERRORS.get(code, "database error")
            self.fail(f"{name}: {database_error_text(exc)}")
        self.outcome.duration = time.monotonic() - started
        return self.outcome

    def fail(self, message: str) -> None:
        self.outcome.discard_counts()
        self.outcome.error = message

    def check_schema(self) -> None:
        problem = schema_problem(self.mapping)
        if problem:
            raise TableFailed(problem)

    def apply(self) -> None:
        fac_now = sql.server_utc_now(self.fac)
        if self.full:
            live_before = self.live_count()
            self.apply_full()
        else:
            live_before = self.apply_incremental()
        self.guard_mass_delete(live_before)
        self.outcome.cursor_after = self.next_cursor(fac_now)
        if not self.options.dry_run:
            self.save_state()

    def apply_incremental(self) -> int:
        """One scan per side finds the ranges with changed rows and the ranges whose ids differ.

        Returns how many mirror rows were live before (counted by the same scan of OPS).
        """
        since = naive_utc(self.state.cursor - self.options.lookback)
        still_in_fac = still_in_fac_condition(self.ops, self.mapping)
        (fac_sums, changed), (ops_sums, live) = sql.in_parallel(
            lambda: sql.id_sums(connections[FAC_ALIAS], self.mapping.fac_table, chunk=ID_CHUNK, since=since),
            lambda: sql.id_sums(self.ops, self.mapping.ops_table, chunk=ID_CHUNK, condition=still_in_fac, live=True),
        )
        for batch in self.changed_rows(since, sql.ranges([key for key, count in changed.items() if count], ID_CHUNK)):
            self.process(batch)
        self.process_ids([i for i in self.state.retry_ids if i not in self.seen])
        new_ids, gone_ids = self.id_differences(fac_sums, ops_sums, still_in_fac)
        self.process_ids(sorted(new_ids - self.seen))
        self.mark_vanished(sorted(gone_ids))
        return sum(live.values())

    def apply_full(self) -> None:
        """Every row compared through range checksums; only ranges that differ are read and written."""
        if self.mirror_is_empty():
            self.first_copy()
            return
        fac_side = checksums.TableSide(FAC_ALIAS, self.mapping.fac_table, self.mapping)
        ops_side = checksums.TableSide(
            OPS_ALIAS, self.mapping.ops_table, self.mapping, still_in_fac_condition(self.ops, self.mapping)
        )
        comparison = checksums.TableComparison(fac_side, ops_side)
        total = comparison.fac_rows
        self.report_progress(total)
        gone: list[int] = []
        new_ranges: list[int] = []  # range keys the mirror has nothing of: copied in bulk below
        for chunk in comparison.chunks():
            self.outcome.unchanged += chunk.equal
            self.processed += chunk.equal
            if chunk.ops_empty:
                new_ranges.append(chunk.low // checksums.CHUNK)
            else:
                self.process_ids(chunk.missing + chunk.differing)
            gone += chunk.extra
            self.report_progress(total)
        for low, high in sql.ranges(new_ranges, checksums.CHUNK):
            self.copy_range(low, high)
            self.report_progress(total)
        self.mark_vanished(gone)
        self.newest_seen = comparison.fac_newest  # a full run leaves the cursor at FAC's newest row

    def mirror_is_empty(self) -> bool:
        table = self.ops.ops.quote_name(self.mapping.ops_table)
        return not sql.fetch_all(self.ops, f"SELECT 1 FROM {table} LIMIT 1")

    def first_copy(self) -> None:
        """The mirror has nothing of this table yet: copy it whole, with nothing to compare."""
        table = self.fac.ops.quote_name(self.mapping.fac_table)
        query = f"SELECT COUNT(*), MIN(id), MAX(id), MAX(updated_at) FROM {table}"
        count, low, high, newest = sql.fetch_all(self.fac, query)[0]
        self.report_progress(count)
        if count:
            self.copy_range(low, high + 1)
            self.report_progress(count)
        self.newest_seen = datetime.fromisoformat(newest) if isinstance(newest, str) else newest

    def copy_range(self, low: int, high: int) -> None:
        """A range the mirror has nothing of: LOAD DATA where OPS takes it, else batched upserts."""
        global bulk_refused
        bulk = self.ops.vendor == self.fac.vendor == "mysql" and not self.options.dry_run and not bulk_refused
        if bulk:
            loader = BulkLoader(self.fac, self.ops, self.mapping, self.synced_at)
            try:
                keep = None if self.options.keep_all_changes else CHANGES_KEPT
                copied = loader.copy(low, high, keep_ids=keep)
            except OperationalError as exc:
                if not load_refused(exc):
                    raise
                bulk_refused, copied = True, None
            if copied is not None:
                count, ids = copied
                self.outcome.inserted += count
                self.outcome.loaded += count
                self.processed += count
                self.outcome.changes += [{"id": i, "action": "insert", "columns": self.columns[1:]} for i in ids]
                return
        self.process_range(low, high)

    def process_range(self, low: int, high: int) -> None:
        """All FAC rows of an id range the mirror does not have yet (a first copy)."""
        table = self.fac.ops.quote_name(self.mapping.fac_table)
        query = f"SELECT {sql.quoted(self.fac, self.columns)} FROM {table} WHERE id >= %s AND id < %s"
        for batch in sql.stream(self.fac, query, [low, high], batch_size=self.options.batch_size):
            self.process(batch)

    def changed_rows(self, since: datetime, id_ranges: list[tuple[int, int]]) -> Iterator[list[tuple]]:
        """FAC rows changed since the cursor, less the look-back window, in the ranges holding them.

        Look back: a FAC transaction may commit rows whose updated_at is older than rows
        already read (Laravel sets updated_at when the row is saved, not when the
        transaction commits). Rows read again are compared and not rewritten.
        """
        table = self.fac.ops.quote_name(self.mapping.fac_table)
        query = (
            f"SELECT {sql.quoted(self.fac, self.columns)} FROM {table} WHERE id >= %s AND id < %s AND updated_at >= %s"
        )
        for low, high in id_ranges:
            for batch in sql.stream(self.fac, query, [low, high, since], batch_size=self.options.batch_size):
                yield batch
                self.report_progress(None)

    def report_progress(self, total: int | None) -> None:
        if self.options.on_progress:
            self.options.on_progress(self.mapping.name, self.processed, total)

    def process_ids(self, ids: list[int]) -> None:
        size = self.options.batch_size
        for start in range(0, len(ids), size):
            rows = sql.rows_by_id(self.fac, self.mapping.fac_table, self.columns, ids[start : start + size])
            self.process(list(rows.values()))

    def process(self, batch: list[tuple]) -> None:
        """Compare a batch of FAC rows with the mirror and write those that differ."""
        mirror = sql.rows_by_id(self.ops, self.mapping.ops_table, self.columns, [row[0] for row in batch])
        pending = []
        for row in batch:
            self.processed += 1
            if not self.full:  # a full run reads every id once: no need to remember them
                self.seen.add(row[0])
            self.note_updated_at(row[self.updated_at])
            change = self.compare(row, mirror.get(row[0]))
            if change is None:
                self.outcome.unchanged += 1
            else:
                pending.append((row, change))
        self.write(pending)

    def note_updated_at(self, value: datetime | None) -> None:
        if value is not None and (self.newest_seen is None or value > self.newest_seen):
            self.newest_seen = value

    def compare(self, row: tuple, mirror_row: tuple | None) -> dict | None:
        """None when the mirror already holds the row, else what writing it does."""
        if mirror_row is None:
            return {"id": row[0], "action": "insert", "columns": self.columns[1:]}
        columns = [c for c, new, old in zip(self.columns, row, mirror_row, strict=True) if new != old]
        if not columns:
            return None
        was_deleted, is_deleted = mirror_row[self.deleted_at] is not None, row[self.deleted_at] is not None
        if row[0] in self.vanished or (was_deleted and not is_deleted):
            action = "restore"
        elif is_deleted and not was_deleted:
            action = "delete"
        else:
            action = "update"
        return {"id": row[0], "action": action, "columns": columns}

    def write(self, pending: list[tuple[tuple, dict]]) -> None:
        if not pending:
            return
        if self.options.dry_run:
            for _, change in pending:
                self.count(change)
            return
        try:
            with transaction.atomic(using=OPS_ALIAS), self.ops.cursor() as cursor:
                cursor.executemany(self.upsert, [(*row, self.synced_at) for row, _ in pending])
        except DatabaseError as exc:
            if not is_row_error(exc):
                raise
            # OPS refused something in this batch (a value that does not fit after a
            # FAC schema change): find which rows, store the others.
            self.write_one_by_one(pending)
            return
        for _, change in pending:
            self.count(change)

    def write_one_by_one(self, pending: list[tuple[tuple, dict]]) -> None:
        for row, change in pending:
            try:
                with transaction.atomic(using=OPS_ALIAS), self.ops.cursor() as cursor:
                    cursor.execute(self.upsert, (*row, self.synced_at))
            except DatabaseError as exc:
                if not is_row_error(exc):
                    raise
                self.outcome.row_errors.append({"id": row[0], "reason": database_error_text(exc)})
                updated_at = row[self.updated_at]
                if updated_at is not None and (self.oldest_failed is None or updated_at < self.oldest_failed):
                    self.oldest_failed = updated_at
            else:
                self.count(change)

    def count(self, change: dict) -> None:
        counter = COUNTERS[change["action"]]
        setattr(self.outcome, counter, getattr(self.outcome, counter) + 1)
        if self.options.keep_all_changes or len(self.outcome.changes) < CHANGES_KEPT:
            self.outcome.changes.append(change)
        if change["action"] == "restore" and change["id"] in self.vanished:
            self.vanished.discard(change["id"])
            if not self.options.dry_run:
                VanishedRow.objects.filter(table=self.mapping.name, row_id=change["id"]).delete()

    def id_differences(self, fac_sums: dict, ops_sums: dict, still_in_fac: str) -> tuple[set[int], set[int]]:
        """(ids only in FAC, ids only in the mirror's rows still present in FAC).

        Ids are fetched only for the ranges whose sums differ. Rows already known to have
        vanished are left out of the mirror's sums, so their range does not differ on
        every run.
        """
        only_fac: set[int] = set()
        only_ops: set[int] = set()
        for key in sorted(fac_sums.keys() | ops_sums.keys()):
            if fac_sums.get(key) == ops_sums.get(key):
                continue
            low, high = key * ID_CHUNK, (key + 1) * ID_CHUNK
            fac_ids = sql.ids_between(self.fac, self.mapping.fac_table, low, high)
            ops_ids = sql.ids_between(self.ops, self.mapping.ops_table, low, high, still_in_fac)
            only_fac |= fac_ids - ops_ids
            only_ops |= ops_ids - fac_ids
        return only_fac, only_ops

    def mark_vanished(self, ids: list[int]) -> None:
        """Rows hard-deleted in FAC stay in OPS, marked deleted when opsync noticed."""
        if not ids:
            return
        table = self.ops.ops.quote_name(self.mapping.ops_table)
        size = self.options.batch_size
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            rows = sql.rows_by_id(self.ops, self.mapping.ops_table, ["id", "deleted_at"], chunk)
            live = [row_id for row_id, (_, deleted_at) in rows.items() if deleted_at is None]
            for row_id in live:
                self.count({"id": row_id, "action": "delete", "columns": ["deleted_at"], "hard": True})
            if self.options.dry_run:
                continue
            if live:
                marks = ", ".join(["%s"] * len(live))
                with self.ops.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {table} SET deleted_at = %s, synced_at = %s WHERE id IN ({marks})",
                        [self.synced_at, self.synced_at, *live],
                    )
            VanishedRow.objects.bulk_create(
                [VanishedRow(table=self.mapping.name, row_id=row_id) for row_id in chunk], ignore_conflicts=True
            )
        self.vanished.update(ids)

    def live_count(self) -> int:
        table = self.ops.ops.quote_name(self.mapping.ops_table)
        return sql.fetch_all(self.ops, f"SELECT COUNT(*) FROM {table} WHERE deleted_at IS NULL")[0][0]

    def guard_mass_delete(self, live_before: int) -> None:
        """An empty or wrong FAC table must not wipe the mirror: stop past a share of live rows."""
        deleted = self.outcome.deleted
        limit = max(self.options.max_delete_ratio * live_before, self.options.max_delete_floor)
        if deleted > limit and not self.options.allow_mass_delete:
            raise TableFailed(
                f"refused to mark {deleted} of {live_before} live rows deleted "
                f"(more than SYNC_MAX_DELETE_RATIO={self.options.max_delete_ratio:.0%}); "
                "check FAC, then confirm with --allow-mass-delete"
            )

    def next_cursor(self, fac_now: datetime) -> datetime | None:
        """The newest updated_at read from FAC, but never past FAC's clock nor a row that failed.

        FAC's clock caps it because a row dated in the future would otherwise hide every
        change made until that date. A full run (--force) starts the cursor afresh.
        """
        newest = self.newest_seen
        previous = naive_utc(self.state.cursor)
        if not self.full and previous is not None:
            newest = previous if newest is None else max(newest, previous)
        if newest is None:
            return None
        newest = min(newest, fac_now)
        if self.oldest_failed is not None:
            newest = min(newest, self.oldest_failed)
        return aware(newest)

    def save_state(self) -> None:
        self.state.cursor = self.outcome.cursor_after
        self.state.retry_ids = [error["id"] for error in self.outcome.row_errors]
        self.state.last_success_at = timezone.now()
        self.state.save()


COUNTERS = {"insert": "inserted", "update": "updated", "delete": "deleted", "restore": "restored"}


def still_in_fac_condition(ops: BaseDatabaseWrapper, mapping: TableMapping) -> str:
    """SQL on the mirror table: its rows not known to have vanished from FAC (see VanishedRow)."""
    quote = ops.ops.quote_name
    vanished = quote(VanishedRow._meta.db_table)
    # mapping.name is one of the five declared table names, never user input.
    return f"id NOT IN (SELECT row_id FROM {vanished} WHERE {quote('table')} = '{mapping.name}')"


def schema_problem(mapping: TableMapping) -> str | None:
    """Why FAC's live table no longer fits the declared mapping, or None. Extra FAC columns are fine."""
    live = sql.table_columns(connections[FAC_ALIAS], mapping.fac_table)
    if live is None:
        return f"FAC has no table '{mapping.fac_table}'"
    missing = [column for column in mapping.columns if column not in live]
    if not missing:
        return None
    others = f" (nor {', '.join(missing[1:])})" if len(missing) > 1 else ""
    return f"schema drift: FAC table '{mapping.fac_table}' has no column '{missing[0]}'{others}"


def sync_table(*, mapping: TableMapping, options: SyncOptions) -> TableOutcome:
    """One table, retried from the start when OPS times out on a lock or picks it for a deadlock."""
    drop_broken_connections()  # FAC may have dropped us since the last table
    attempts = settings.SYNC_WRITE_RETRIES
    for _ in range(attempts):
        outcome = TableSync(mapping, options).run()
        if not outcome.retryable:
            break
    if outcome.retryable:
        outcome.error = f"OPS {outcome.error}, after {attempts} attempts"
    return outcome


def drop_broken_connections() -> None:
    """A connection found dead (FAC cut mid-read or between tables) is closed, to be reopened."""
    for alias in (FAC_ALIAS, OPS_ALIAS):
        connection = connections[alias]
        if connection.connection is not None and not connection.in_atomic_block and not connection.is_usable():
            connection.close()
