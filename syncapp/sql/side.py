"""One side of a mapping as the SQL sees it: a database, a table and its mapped columns."""

from dataclasses import dataclass

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class LeftOut:
    """Rows recorded in other tables and left out of what is read: each record table holds
    a `row_id` and the `table` it belongs to (opsync's VanishedRow and OpsOnlyRow)."""

    table: str  # the records' `table` value: the FAC table's name
    records: tuple[str, ...]  # the record tables


@dataclass(frozen=True)
class Side:
    """A database (by alias), a table and its columns, as one side of a mapping.

    `deleted_at` and `synced_at` name this side's columns for them, if it has them. The OPS
    side of a comparison leaves out the rows in `left_out`: they stay in OPS, but are no
    longer, or never were, FAC's.
    """

    alias: str
    table: str
    columns: tuple[str, ...]  # `id` first, in the mapping's order: both sides' rows line up
    deleted_at: str | None = None
    synced_at: str | None = None
    left_out: LeftOut | None = None
    source: bool = False  # FAC: its legacy zero dates in deleted_at mean deleted (syncapp/sql/rows.column_sql)
    cursor: str | None = None  # FAC: the column runs follow (updated_at), if the table has one
    reads_cursor: bool = False  # rows are read with the cursor's value after the columns (NULL without one)
    as_text: frozenset[str] = frozenset()  # MySQL TIMEs, read as text: -12:30:15 or 100:00:00 are no time of day

    @property
    def connection(self) -> BaseDatabaseWrapper:
        return connections[self.alias]  # looked up in the calling thread: the sides may run in two
