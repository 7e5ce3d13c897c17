"""Reading and writing the rows of one side of a mapping, by id or by range of ids."""

from collections.abc import Iterator, Sequence
from datetime import datetime

from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.mapping import Side
from syncapp.models import VanishedRow
from syncapp.sql.execute import execute, fetch_all, marks, quoted, stream


def side_filter(connection: BaseDatabaseWrapper, vanished_of: str | None) -> tuple[str, list]:
    """A condition on a side's rows, with its parameters: the OPS side leaves out vanished rows."""
    if vanished_of is None:
        return "1 = 1", []
    quote = connection.ops.quote_name
    vanished = quote(VanishedRow._meta.db_table)
    return f"id NOT IN (SELECT row_id FROM {vanished} WHERE {quote('table')} = %s)", [vanished_of]


def select_columns(side: Side) -> str:
    connection = side.connection
    return f"SELECT {quoted(connection, side.columns)} FROM {connection.ops.quote_name(side.table)}"


def rows_by_id(side: Side, ids: Sequence[int]) -> dict[int, tuple]:
    """A side's rows for some ids (however they are filtered), keyed by id."""
    if not ids:
        return {}
    return {
        row[0]: row
        for row in fetch_all(side.connection, f"{select_columns(side)} WHERE id IN ({marks(len(ids))})", ids)
    }


def deleted_at_by_id(side: Side, ids: Sequence[int]) -> dict[int, datetime | None]:
    """`deleted_at` of the rows with these ids that exist."""
    if not ids:
        return {}
    connection = side.connection
    query = f"SELECT id, deleted_at FROM {connection.ops.quote_name(side.table)} WHERE id IN ({marks(len(ids))})"
    return dict(fetch_all(connection, query, ids))


def ids_between(side: Side, low: int, high: int) -> set[int]:
    """Ids in [low, high) of the side's rows (the OPS side: still in FAC)."""
    condition, params = side_filter(side.connection, side.vanished_of)
    query = f"SELECT id FROM {side.connection.ops.quote_name(side.table)} WHERE id >= %s AND id < %s AND {condition}"
    return {row_id for (row_id,) in fetch_all(side.connection, query, [low, high, *params])}


def stream_between(side: Side, low: int, high: int, *, batch_size: int) -> Iterator[list[tuple]]:
    """Every row with an id in [low, high), a batch at a time."""
    return stream(
        side.connection, f"{select_columns(side)} WHERE id >= %s AND id < %s", [low, high], batch_size=batch_size
    )


def stream_changed(side: Side, low: int, high: int, since: datetime, *, batch_size: int) -> Iterator[list[tuple]]:
    """Rows with an id in [low, high) whose updated_at is at or after `since`."""
    query = f"{select_columns(side)} WHERE id >= %s AND id < %s AND updated_at >= %s"
    return stream(side.connection, query, [low, high, since], batch_size=batch_size)


def summary(side: Side) -> tuple[int, int | None, int | None, datetime | str | None]:
    """(rows, lowest id, highest id, newest updated_at) of the whole table."""
    table = side.connection.ops.quote_name(side.table)
    return fetch_all(side.connection, f"SELECT COUNT(*), MIN(id), MAX(id), MAX(updated_at) FROM {table}")[0]


def count_live(side: Side) -> int:
    """Rows not marked deleted."""
    table = side.connection.ops.quote_name(side.table)
    return fetch_all(side.connection, f"SELECT COUNT(*) FROM {table} WHERE deleted_at IS NULL")[0][0]


def has_rows(side: Side) -> bool:
    table = side.connection.ops.quote_name(side.table)
    return bool(fetch_all(side.connection, f"SELECT 1 FROM {table} LIMIT 1"))


def upsert_statement(connection: BaseDatabaseWrapper, table: str, columns: Sequence[str]) -> str:
    """INSERT that updates on a conflict of the primary key, the mirror's only unique key."""
    quote = connection.ops.quote_name
    insert = f"INSERT INTO {quote(table)} ({quoted(connection, columns)}) VALUES ({marks(len(columns))})"
    if connection.vendor == "mysql":
        updates = ", ".join(f"{quote(c)} = VALUES({quote(c)})" for c in columns[1:])
        return f"{insert} ON DUPLICATE KEY UPDATE {updates}"
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns[1:])
    return f"{insert} ON CONFLICT (id) DO UPDATE SET {updates}"


def upsert(side: Side, rows: Sequence[tuple], synced_at: datetime) -> None:
    """Write rows (the side's columns, in order) and when they were synced, in one statement."""
    statement = upsert_statement(side.connection, side.table, [*side.columns, "synced_at"])
    with side.connection.cursor() as cursor:
        cursor.executemany(statement, [(*row, synced_at) for row in rows])


def mark_deleted(side: Side, ids: Sequence[int], when: datetime) -> None:
    """Set deleted_at (and synced_at) of these rows to `when`."""
    table = side.connection.ops.quote_name(side.table)
    query = f"UPDATE {table} SET deleted_at = %s, synced_at = %s WHERE id IN ({marks(len(ids))})"
    execute(side.connection, query, [when, when, *ids])


def insert_statement(connection: BaseDatabaseWrapper, table: str, columns: Sequence[str]) -> str:
    """A plain INSERT of one row (the demo builder and the tests write FAC with it)."""
    quote = connection.ops.quote_name
    return f"INSERT INTO {quote(table)} ({quoted(connection, columns)}) VALUES ({marks(len(columns))})"


def count_rows_and_deleted(connection: BaseDatabaseWrapper, table: str) -> tuple[int, int]:
    """(rows, soft-deleted rows) of a table."""
    query = f"SELECT COUNT(*), COUNT(deleted_at) FROM {connection.ops.quote_name(table)}"
    return tuple(fetch_all(connection, query)[0])


def select_statement(connection: BaseDatabaseWrapper, table: str, columns: Sequence[str], where: str = "") -> str:
    """SELECT some columns of a table, under an optional condition of the caller's (values as `%s`)."""
    statement = f"SELECT {quoted(connection, columns)} FROM {connection.ops.quote_name(table)}"
    return f"{statement} WHERE {where}" if where else statement


def update_statement(connection: BaseDatabaseWrapper, table: str, columns: Sequence[str]) -> str:
    """UPDATE some columns of the row whose id is the last parameter."""
    assignments = ", ".join(f"{connection.ops.quote_name(column)} = %s" for column in columns)
    return f"UPDATE {connection.ops.quote_name(table)} SET {assignments} WHERE id = %s"


def delete_statement(connection: BaseDatabaseWrapper, table: str, where: str = "") -> str:
    """DELETE a table's rows (under an optional condition): the tests and the demo play FAC with it."""
    statement = f"DELETE FROM {connection.ops.quote_name(table)}"
    return f"{statement} WHERE {where}" if where else statement
