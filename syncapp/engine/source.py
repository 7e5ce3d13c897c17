"""Reading FAC: the rows a plan's steps ask for, a batch at a time."""

from collections.abc import Iterable, Iterator
from datetime import datetime

from syncapp.config.mapping import TableMapping
from syncapp.sql import rows

Batch = list[tuple]


class FacReader:
    """FAC's rows for one table, in the mapping's column order.

    Each row holds the mapped columns, then the cursor's value (updated_at; NULL in a table
    without one). The reader notes the newest it read (the cursor follows it) and the highest
    id, and in an incremental run each id it read, so that a row is read once however many steps ask for it. A full run
    reads every id once by construction and remembers nothing: its memory does not grow with
    the table.
    """

    def __init__(self, mapping: TableMapping, *, batch_size: int, remember_ids: bool):
        self.side = mapping.fac_read
        self.batch_size = batch_size
        self.seen: set[int] | None = set() if remember_ids else None
        self.newest: datetime | None = None
        self.highest_id = 0

    def changed(self, since: datetime, ranges: list[tuple[int, int]]) -> Iterator[Batch]:
        """Rows changed since `since` in the id ranges that hold them.

        Look back: a FAC transaction may commit rows whose updated_at is older than rows
        already read (Laravel sets updated_at when the row is saved, not when the transaction
        commits), so `since` lies before the cursor. Rows read again compare equal and are not
        rewritten.
        """
        if ranges:
            yield from self.noted(rows.stream_changed(self.side, ranges, since, batch_size=self.batch_size))

    def by_ids(self, ids: list[int]) -> Iterator[Batch]:
        if self.seen is not None:
            ids = [row_id for row_id in ids if row_id not in self.seen]
        for start in range(0, len(ids), self.batch_size):
            yield from self.noted([list(rows.rows_by_id(self.side, ids[start : start + self.batch_size]).values())])

    def between(self, low: int, high: int | None) -> Iterator[Batch]:
        yield from self.noted(rows.stream_between(self.side, low, high, batch_size=self.batch_size))

    def noted(self, batches: Iterable[Batch]) -> Iterator[Batch]:
        for batch in batches:
            for row in batch:
                if self.seen is not None:
                    self.seen.add(row[0])
                self.highest_id = max(self.highest_id, row[0])
                updated_at = row[-1]
                if updated_at is not None and (self.newest is None or updated_at > self.newest):
                    self.newest = updated_at
            yield batch
