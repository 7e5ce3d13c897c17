"""Comparing FAC rows with the mirror and writing only what differs; the outcome's counts.

Writes go a batch per statement. A batch OPS refuses is retried row by row, so one bad row
is recorded (and read again next run) while the rest still applies. Rows gone from FAC are
marked deleted, never removed.
"""

from collections.abc import Callable, Iterator, Sequence

from django.db import DatabaseError, OperationalError, transaction
from django.utils import timezone

from syncapp.databases import database_error_text, is_row_error
from syncapp.engine.bulk import BulkLoader, load_refused
from syncapp.engine.cursor import naive_utc
from syncapp.engine.outcome import CHANGES_KEPT, Change, RunContext, TableOutcome
from syncapp.engine.source import Batch
from syncapp.mapping import TableMapping
from syncapp.models import ChangeAction, VanishedRow
from syncapp.sql import rows


def compare(
    row: tuple, mirror_row: tuple | None, *, columns: Sequence[str], deleted_at: int, vanished: bool
) -> Change | None:
    """None when the mirror already holds the FAC row, else what writing it does.

    `deleted_at` is that column's position; `vanished` says the mirror row is one opsync
    marked deleted because FAC had lost it, so FAC having it again is a restore.
    """
    if mirror_row is None:
        return {"id": row[0], "action": ChangeAction.INSERT, "columns": list(columns[1:])}
    differing = [column for column, new, old in zip(columns, row, mirror_row, strict=True) if new != old]
    if not differing:
        return None
    was_deleted, is_deleted = mirror_row[deleted_at] is not None, row[deleted_at] is not None
    if vanished or (was_deleted and not is_deleted):
        action = ChangeAction.RESTORE
    elif is_deleted and not was_deleted:
        action = ChangeAction.DELETE
    else:
        action = ChangeAction.UPDATE
    return {"id": row[0], "action": action, "columns": differing}


class MirrorWriter:
    """Applies FAC rows to one mirror table inside the table's transaction (or, dry, only counts)."""

    def __init__(self, mapping: TableMapping, context: RunContext, outcome: TableOutcome):
        self.mapping, self.context, self.outcome = mapping, context, outcome
        self.options = context.options
        self.side = mapping.ops(with_vanished=True)
        self.deleted_at = mapping.position("deleted_at")
        self.updated_at = mapping.position("updated_at")
        self.vanished = set(VanishedRow.objects.filter(table=mapping.name).values_list("row_id", flat=True))
        self.synced_at = naive_utc(timezone.now())
        self.oldest_failed = None  # the oldest updated_at of a row OPS refused: the cursor stops there
        self.processed = 0  # rows compared, for the progress bar

    def skip_unchanged(self, count: int) -> None:
        self.outcome.unchanged += count
        self.processed += count

    def apply(self, batch: Batch) -> None:
        """Compare a batch of FAC rows with the mirror and write those that differ."""
        mirror = rows.rows_by_id(self.side, [row[0] for row in batch])
        columns = self.mapping.columns
        pending = []
        for row in batch:
            vanished = row[0] in self.vanished
            change = compare(row, mirror.get(row[0]), columns=columns, deleted_at=self.deleted_at, vanished=vanished)
            if change is None:
                self.outcome.unchanged += 1
            else:
                pending.append((row, change))
        self.processed += len(batch)
        self.write(pending)

    def write(self, pending: list[tuple[tuple, Change]]) -> None:
        if not pending:
            return
        if not self.options.dry_run:
            try:
                with transaction.atomic(using=self.side.alias):
                    rows.upsert(self.side, [row for row, _ in pending], self.synced_at)
            except DatabaseError as exc:
                if not is_row_error(exc):
                    raise
                # OPS refused something in this batch (a value that does not fit after a
                # FAC schema change): find which rows, store the others.
                self.write_one_by_one(pending)
                return
        for _, change in pending:
            self.record(change)

    def write_one_by_one(self, pending: list[tuple[tuple, Change]]) -> None:
        for row, change in pending:
            try:
                with transaction.atomic(using=self.side.alias):
                    rows.upsert(self.side, [row], self.synced_at)
            except DatabaseError as exc:
                if not is_row_error(exc):
                    raise
                self.outcome.row_errors.append({"id": row[0], "reason": database_error_text(exc)})
                updated_at = row[self.updated_at]
                if updated_at is not None and (self.oldest_failed is None or updated_at < self.oldest_failed):
                    self.oldest_failed = updated_at
            else:
                self.record(change)

    def record(self, change: Change) -> None:
        self.outcome.count(change["action"])
        self.outcome.keep(change, keep_all=self.options.keep_all_changes)
        if change["action"] == ChangeAction.RESTORE and change["id"] in self.vanished:
            self.vanished.discard(change["id"])
            if not self.options.dry_run:
                VanishedRow.objects.filter(table=self.mapping.name, row_id=change["id"]).delete()

    def mark_gone(self, ids: list[int]) -> None:
        """Rows hard-deleted in FAC stay in the mirror, marked deleted when opsync noticed."""
        size = self.options.batch_size
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            live = [
                row_id for row_id, deleted_at in rows.deleted_at_by_id(self.side, chunk).items() if deleted_at is None
            ]
            for row_id in sorted(live):
                self.record({"id": row_id, "action": ChangeAction.DELETE, "columns": ["deleted_at"]})
            new = [row_id for row_id in chunk if row_id not in self.vanished]
            self.vanished.update(new)
            if self.options.dry_run:
                continue
            if live:
                rows.mark_deleted(self.side, live, self.synced_at)
            VanishedRow.objects.bulk_create(
                [VanishedRow(table=self.mapping.name, row_id=i) for i in new], ignore_conflicts=True
            )

    def copy_range(self, low: int, high: int, *, read: Callable[[int, int], Iterator[Batch]]) -> None:
        """A range the mirror has nothing of: LOAD DATA where OPS takes it, else `read` and apply."""
        both_mysql = self.side.connection.vendor == self.mapping.fac.connection.vendor == "mysql"
        if both_mysql and not (self.options.dry_run or self.context.load_data_refused) and self.load(low, high):
            return
        for batch in read(low, high):
            self.apply(batch)

    def load(self, low: int, high: int) -> bool:
        """Copy the range by LOAD DATA; False when OPS would not take it (nothing of it is kept)."""
        loader = BulkLoader(self.mapping, self.synced_at)
        try:
            copied = loader.copy(low, high, keep_ids=None if self.options.keep_all_changes else CHANGES_KEPT)
        except OperationalError as exc:
            if not load_refused(exc):
                raise
            self.context.load_data_refused = True  # for the rest of this run
            return False
        if copied is None:
            return False
        count, ids = copied
        self.outcome.count(ChangeAction.INSERT, count)
        self.outcome.loaded += count
        self.processed += count
        columns = list(self.mapping.columns[1:])
        for row_id in ids:
            self.outcome.keep({"id": row_id, "action": ChangeAction.INSERT, "columns": columns}, keep_all=True)
        return True
