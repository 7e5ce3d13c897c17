"""Comparing FAC rows with the OPS table and writing only what differs; the outcome's counts.

Writes go a batch per statement. A batch OPS refuses is retried row by row, so one bad row
is recorded (and read again next run) while the rest still applies. Rows gone from FAC are
marked deleted, never removed.

An adopted table (the operations application's own) gets only its mapped columns written:
new rows by a plain INSERT, whose other columns take their defaults, and the others by an
UPDATE of the mapped columns by id (an upsert would update whatever row an OPS-only unique
key matched). Which of its rows are FAC's copies and which the operations application's own
is decided by engine/ownership.py: its own rows are never written, and a FAC row with the
same id collides with them.
"""

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from django.db import DatabaseError, OperationalError, transaction
from django.utils import timezone

from syncapp.common.messages import message
from syncapp.config.databases import is_row_error, row_reason
from syncapp.config.mapping import TableMapping
from syncapp.engine.bulk import BulkLoader, load_refused
from syncapp.engine.cursor import naive_utc
from syncapp.engine.outcome import CHANGES_KEPT, Change, RunContext, TableOutcome
from syncapp.engine.ownership import Meeting, Ownership
from syncapp.engine.source import Batch
from syncapp.models import ChangeAction, Difference, OpsOnlyRow, VanishedRow
from syncapp.sql import rows

RECORDS_PER_INSERT = 1000
# (the mapped values of a FAC row, what writing them does, the row's updated_at)
Pending = list[tuple[tuple, Change, datetime | None]]


def compare(
    row: tuple, mirror_row: tuple | None, *, names: Sequence[str], deleted_at: int | None, vanished: bool
) -> Change | None:
    """None when OPS already holds the FAC row's mapped values, else what writing them does.

    `names` are the OPS columns' names, `deleted_at` that column's position (None where OPS
    has none), and `vanished` says the OPS row is one opsync had set aside because FAC had
    lost it, so FAC having it again is a restore.
    """
    if mirror_row is None:
        return {"id": row[0], "action": ChangeAction.INSERT, "columns": list(names[1:])}
    differing = [name for name, new, old in zip(names, row, mirror_row, strict=True) if new != old]
    if not differing and not vanished:
        return None
    was_deleted = deleted_at is not None and mirror_row[deleted_at] is not None
    is_deleted = deleted_at is not None and row[deleted_at] is not None
    if vanished or (was_deleted and not is_deleted):
        action = ChangeAction.RESTORE
    elif is_deleted and not was_deleted:
        action = ChangeAction.DELETE
    else:
        action = ChangeAction.UPDATE
    return {"id": row[0], "action": action, "columns": differing}


class MirrorWriter:
    """Applies FAC rows to one OPS table inside the table's transaction (or, dry, only counts)."""

    def __init__(self, mapping: TableMapping, context: RunContext, outcome: TableOutcome, *, high_water: int | None):
        self.mapping, self.context, self.outcome = mapping, context, outcome
        self.options = context.options
        self.side = mapping.ops
        self.width = len(mapping.columns)
        self.deleted_at = mapping.position(mapping.fac_deleted_at)
        # Adopted tables: whose each OPS row is; high_water is the highest FAC id the last run saw
        # (None on the first run, the adoption).
        self.ownership = Ownership.of(mapping, high_water=high_water)
        self.vanished = self.ownership.vanished
        # Live rows marked deleted because FAC no longer has them (the mass-delete guard's measure;
        # a soft delete FAC says itself is FAC's word, copied as any change).
        self.marked_gone = 0
        # The identity's columns are mapped ones (TableMapping.fields refuses others): a place, an OPS name.
        ops_names = dict(mapping.pairs)
        self.identity = [(mapping.columns.index(column), ops_names[column]) for column in mapping.identity]
        self.synced_at = naive_utc(timezone.now())
        # The oldest updated_at of a row OPS refused: the cursor stops there.
        self.oldest_failed: datetime | None = None
        self.highest_id = 0  # the highest FAC id written (or found written)
        # The newest updated_at of the rows written: how fresh the change was.
        self.newest_written: datetime | None = None
        self.processed = 0  # rows compared, for the progress bar

    def skip_unchanged(self, count: int) -> None:
        self.outcome.unchanged += count
        self.processed += count

    def apply(self, batch: Batch) -> None:
        """Compare a batch of FAC rows (mapped values, then updated_at) with OPS; write those that differ."""
        mirror = rows.rows_by_id(self.side, [row[0] for row in batch])
        recognised = self.recognised([row for row in batch if row[0] in mirror])
        names, pending = self.mapping.ops_columns, []
        for row in batch:
            values, row_id = row[: self.width], row[0]
            if self.meets_own_row(row_id, in_ops=row_id in mirror, recognised=row_id in recognised):
                continue
            vanished = row_id in self.vanished
            change = compare(values, mirror.get(row_id), names=names, deleted_at=self.deleted_at, vanished=vanished)
            if change is None:
                self.outcome.unchanged += 1
            else:
                pending.append((values, change, row[-1]))
            self.highest_id = max(self.highest_id, row_id)
        self.processed += len(batch)
        self.write(pending)

    def recognised(self, in_ops: Batch) -> set[int]:
        """Of these FAC rows with an OPS row of their id, those still to decide whose OPS's row is
        (engine/ownership.py) and that the table's identity recognises there."""
        undecided = [row for row in in_ops if self.ownership.to_decide(row[0])]
        if not undecided:
            return set()
        columns = [ops for _, ops in self.identity]
        candidates = [(row[0], [row[position] for position, _ in self.identity]) for row in undecided]
        return rows.recognised(self.side, columns, candidates)

    def meets_own_row(self, row_id: int, *, in_ops: bool, recognised: bool) -> bool:
        """Whether a FAC row meets an OPS row of the operations application's own: a collision, never a write.

        Once OPS's row has been renumbered (or removed), the id is free and FAC's row is copied.
        """
        match self.ownership.meeting(row_id, in_ops=in_ops, recognised=recognised):
            case Meeting.COPY:
                return False
            case Meeting.FREED:
                self.forget_own(row_id)
                return False
            case Meeting.NEW_COLLISION:
                self.note_ops_only([row_id], collides=True)
            case Meeting.COLLISION:
                pass  # recorded when it was decided
        self.outcome.collisions += 1
        self.outcome.refuse(
            row_id, message("collision", table=self.mapping.name, id=row_id, ops_table=self.mapping.ops_table)
        )
        return True

    def forget_own(self, row_id: int) -> None:
        if self.ownership.own.pop(row_id, None) is not None and not self.options.dry_run:
            OpsOnlyRow.objects.filter(table=self.mapping.name, row_id=row_id).delete()

    def write(self, pending: Pending) -> None:
        if not pending:
            return
        if not self.options.dry_run:
            try:
                with transaction.atomic(using=self.side.alias):
                    self.store(pending)
            except DatabaseError as exc:
                if not is_row_error(exc):
                    raise
                # OPS refused something in this batch (a value that does not fit after a
                # FAC schema change): find which rows, store the others.
                self.write_one_by_one(pending)
                return
        for _, change, updated_at in pending:
            self.record(change, updated_at)

    def store(self, pending: Pending) -> None:
        if not self.mapping.adopted:
            rows.upsert(self.side, [values for values, _, _ in pending], self.synced_at)
            return
        inserts = [values for values, change, _ in pending if change["action"] == ChangeAction.INSERT]
        updates = [values for values, change, _ in pending if change["action"] != ChangeAction.INSERT]
        if inserts:
            rows.insert(self.side, inserts, self.synced_at)
        if updates:
            rows.update(self.side, updates, self.synced_at)

    def write_one_by_one(self, pending: Pending) -> None:
        for values, change, updated_at in pending:
            try:
                with transaction.atomic(using=self.side.alias):
                    self.store([(values, change, updated_at)])
            except DatabaseError as exc:
                if not is_row_error(exc):
                    raise
                self.outcome.refuse(values[0], message("row_refused", id=values[0], reason=row_reason(exc)))
                if updated_at is not None and (self.oldest_failed is None or updated_at < self.oldest_failed):
                    self.oldest_failed = updated_at
            else:
                self.record(change, updated_at)

    def record(self, change: Change, updated_at: datetime | None = None) -> None:
        if updated_at is not None and (self.newest_written is None or updated_at > self.newest_written):
            self.newest_written = updated_at
        self.outcome.count(ChangeAction(change["action"]))
        self.outcome.keep(change, keep_all=self.options.keep_all_changes)
        if change["action"] == ChangeAction.RESTORE and change["id"] in self.vanished:
            self.vanished.discard(change["id"])
            if not self.options.dry_run:
                VanishedRow.objects.filter(table=self.mapping.name, row_id=change["id"]).delete()

    def mark_gone(self, ids: list[int]) -> None:
        """OPS rows whose ids FAC does not have.

        Rows hard-deleted in FAC stay, marked deleted when opsync noticed (where the table has a
        deleted_at; else only recorded). In an adopted table, rows FAC never had are OPS's own
        (engine/ownership.py): left alone.
        """
        own, ids = self.ownership.split_gone(ids)
        self.note_ops_only(own)
        size = self.options.batch_size
        for start in range(0, len(ids), size):
            self.mark_vanished(ids[start : start + size])

    def mark_vanished(self, ids: list[int]) -> None:
        if self.side.deleted_at:
            marks = rows.deleted_at_by_id(self.side, ids)
            live = sorted(row_id for row_id, deleted_at in marks.items() if deleted_at is None)
        else:  # nothing to mark: the deletion is recorded, and shows
            live = sorted(row_id for row_id in ids if row_id not in self.vanished)
        marked = [self.side.deleted_at] if self.side.deleted_at else []
        self.marked_gone += len(live)
        for row_id in live:
            self.record({"id": row_id, "action": ChangeAction.DELETE, "columns": marked})
        new = [row_id for row_id in ids if row_id not in self.vanished]
        self.vanished.update(new)
        if self.options.dry_run:
            return
        if live and self.side.deleted_at:
            rows.deleted_at_set(self.side, live, self.synced_at)
        VanishedRow.objects.bulk_create(
            [VanishedRow(table=self.mapping.name, row_id=i) for i in new], ignore_conflicts=True
        )

    def note_ops_only(self, ids: list[int], *, collides: bool = False) -> None:
        """OPS rows that are the operations application's own: counted, recorded (at -v 2 listed), left alone."""
        own = self.ownership.own
        new = [row_id for row_id in ids if row_id not in own]
        flipped = [row_id for row_id in ids if row_id in own and own[row_id] != collides]
        for row_id in new:
            change: Change = {"id": row_id, "action": Difference.OPS_ONLY, "columns": []}
            self.outcome.keep(change, keep_all=self.options.keep_all_changes)
        self.outcome.ops_only += len(new)
        own.update(dict.fromkeys(ids, collides))
        if self.options.dry_run:
            return
        if flipped:
            OpsOnlyRow.objects.filter(table=self.mapping.name, row_id__in=flipped).update(collides=collides)
        for start in range(0, len(new), RECORDS_PER_INSERT):  # an adoption may bring 100 000 of them
            records = [
                OpsOnlyRow(table=self.mapping.name, row_id=i, collides=collides)
                for i in new[start : start + RECORDS_PER_INSERT]
            ]
            OpsOnlyRow.objects.bulk_create(records, ignore_conflicts=True)

    def copy_range(self, low: int, high: int, *, read: Callable[[int, int], Iterator[Batch]]) -> None:
        """A range OPS has nothing of: LOAD DATA where OPS takes it, else `read` and apply."""
        both_mysql = self.side.connection.vendor == self.mapping.fac.connection.vendor == "mysql"
        loads = both_mysql and self.mapping.loadable and not (self.options.dry_run or self.context.load_data_refused)
        if loads and self.load_range(low, high):
            return
        for batch in read(low, high):
            self.apply(batch)

    def load_range(self, low: int, high: int) -> bool:
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
        count, ids, highest = copied
        self.outcome.count(ChangeAction.INSERT, count)
        self.outcome.loaded += count
        self.processed += count
        self.highest_id = max(self.highest_id, highest)
        columns = list(self.mapping.ops_columns[1:])
        for row_id in ids:
            self.outcome.keep({"id": row_id, "action": ChangeAction.INSERT, "columns": columns}, keep_all=True)
        return True
