"""Reading and writing the rows of one side of a mapping, by id or by range of ids."""

from collections.abc import Iterator, Sequence
from datetime import datetime

from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.sql.execute import as_datetime, execute, fetch_all, marks, quoted, stream
from syncapp.sql.names import identifier, quoter
from syncapp.sql.side import Side


def side_filter(side: Side) -> tuple[str, list]:
    """A condition on a side's rows, with its parameters: the ids its `left_out` records hold
    for its table are left out (the OPS side of a comparison: rows vanished from FAC, or OPS's own)."""
    if side.left_out is None:
        return "1 = 1", []
    quote = quoter(side.connection)
    conditions = [
        f"id NOT IN (SELECT row_id FROM {quote(record)} WHERE {quote('table')} = %s)"
        for record in side.left_out.records
    ]
    return " AND ".join(conditions), [side.left_out.table] * len(conditions)


# A legacy zero date in FAC's deleted_at: FAC and Laravel hold the row deleted, so the sync does
# too, at this stable instant (the earliest a TIMESTAMP holds) rather than when it noticed.
ZERO_DELETED_AT_SQL = "TIMESTAMP('1970-01-01 00:00:01')"


def column_sql(side: Side, column: str) -> str:
    """A column as the sync reads it: on FAC (MySQL), a zero date in deleted_at reads as deleted; a TIME as text."""
    connection = side.connection
    name = identifier(connection, column)
    if side.source and column == side.deleted_at and connection.vendor == "mysql":
        return f"IF(CAST({name} AS CHAR) = '0000-00-00 00:00:00', {ZERO_DELETED_AT_SQL}, {name})"
    if column in side.as_text and connection.vendor == "mysql":
        return f"CAST({name} AS CHAR)"
    return name


def cursor_sql(side: Side) -> str:
    """The side's cursor column, or NULL where the table has none."""
    return identifier(side.connection, side.cursor) if side.cursor else "NULL"


def select_columns(side: Side) -> str:
    columns = [column_sql(side, column) for column in side.columns]
    if side.reads_cursor:
        columns.append(cursor_sql(side))
    return f"SELECT {', '.join(columns)} FROM {identifier(side.connection, side.table)}"


def rows_by_id(side: Side, ids: Sequence[int]) -> dict[int, tuple]:
    """A side's rows for some ids (however they are filtered), keyed by id."""
    if not ids:
        return {}
    query = f"{select_columns(side)} WHERE id IN ({marks(len(ids))})"
    return {row[0]: row for row in fetch_all(side.connection, query, ids)}


def deleted_at_by_id(side: Side, ids: Sequence[int]) -> dict[int, datetime | None]:
    """`deleted_at` of the rows with these ids that exist (the side must have the column)."""
    if not ids:
        return {}
    connection = side.connection
    quote = quoter(connection)
    query = f"SELECT id, {quote(side.deleted_at)} FROM {quote(side.table)} WHERE id IN ({marks(len(ids))})"
    return dict(fetch_all(connection, query, ids))


IDENTITY_ROWS_PER_QUERY = 500


def blank(value) -> bool:
    """NULL, or text with nothing but spaces: a value that recognises no row."""
    return value is None or (isinstance(value, str) and not value.strip())


def recognised(side: Side, columns: Sequence[str], candidates: Sequence[tuple[int, Sequence]]) -> set[int]:
    """Of these (id, values of `columns`) pairs, the ids whose row on the side holds one of the values.

    Only non-blank values count, and each is compared as its column's collation compares (the
    value is a parameter: the column's collation wins), so a name re-cased is still the same.
    """
    quote = quoter(side.connection)
    found: set[int] = set()
    for start in range(0, len(candidates), IDENTITY_ROWS_PER_QUERY):
        conditions, params = [], []
        for row_id, values in candidates[start : start + IDENTITY_ROWS_PER_QUERY]:
            held = [(column, value) for column, value in zip(columns, values, strict=True) if not blank(value)]
            if held:
                conditions.append(f"(id = %s AND ({' OR '.join(f'{quote(column)} = %s' for column, _ in held)}))")
                params += [row_id, *(value for _, value in held)]
        if conditions:
            query = f"SELECT id FROM {quote(side.table)} WHERE {' OR '.join(conditions)}"
            found |= {row_id for (row_id,) in fetch_all(side.connection, query, params)}
    return found


def ids_between(side: Side, low: int, high: int) -> set[int]:
    """Ids in [low, high) of the side's rows (the OPS side: those that are FAC's)."""
    condition, params = side_filter(side)
    query = f"SELECT id FROM {identifier(side.connection, side.table)} WHERE id >= %s AND id < %s AND {condition}"
    return {row_id for (row_id,) in fetch_all(side.connection, query, [low, high, *params])}


def stream_between(side: Side, low: int, high: int | None, *, batch_size: int) -> Iterator[list[tuple]]:
    """Every row with an id in [low, high) (high None: every id from low on), a batch at a time."""
    if high is None:
        return stream(side.connection, f"{select_columns(side)} WHERE id >= %s", [low], batch_size=batch_size)
    query = f"{select_columns(side)} WHERE id >= %s AND id < %s"
    return stream(side.connection, query, [low, high], batch_size=batch_size)


def ids_changed_since(side: Side, since: datetime) -> list[int]:
    """Ids of the rows whose cursor (updated_at) is at or after `since`: a range of its index where
    FAC has one, else a scan of the table."""
    query = f"SELECT id FROM {identifier(side.connection, side.table)} WHERE {cursor_sql(side)} >= %s"
    return sorted(row_id for (row_id,) in fetch_all(side.connection, query, [since]))


RANGES_PER_QUERY = 1000


def stream_changed(
    side: Side, ranges: Sequence[tuple[int, int]], since: datetime, *, batch_size: int
) -> Iterator[list[tuple]]:
    """Rows with an id in one of the ranges [low, high) whose cursor (updated_at) is at or after
    `since`: one statement for up to RANGES_PER_QUERY ranges (the server reads each range of its
    primary key)."""
    for start in range(0, len(ranges), RANGES_PER_QUERY):
        some = ranges[start : start + RANGES_PER_QUERY]
        where = " OR ".join(["id >= %s AND id < %s"] * len(some))
        query = f"{select_columns(side)} WHERE ({where}) AND {cursor_sql(side)} >= %s"
        yield from stream(side.connection, query, [*(i for pair in some for i in pair), since], batch_size=batch_size)


def summary(side: Side) -> tuple[int, int | None, int | None, datetime | None]:
    """(rows, lowest id, highest id, newest updated_at: its cursor's) of a FAC table."""
    table = identifier(side.connection, side.table)
    count, lowest, highest, newest = fetch_all(
        side.connection, f"SELECT COUNT(*), MIN(id), MAX(id), MAX({cursor_sql(side)}) FROM {table}"
    )[0]
    return count, lowest, highest, as_datetime(newest)


def highest_id(side: Side) -> int | None:
    """MAX(id): a primary-key lookup."""
    return fetch_all(side.connection, f"SELECT MAX(id) FROM {identifier(side.connection, side.table)}")[0][0]


def live_count(side: Side) -> int:
    """The side's rows (under its filter) not marked deleted: all of them without a deleted_at."""
    connection = side.connection
    condition, params = side_filter(side)
    if side.deleted_at:
        condition = f"{identifier(connection, side.deleted_at)} IS NULL AND {condition}"
    return fetch_all(
        connection, f"SELECT COUNT(*) FROM {identifier(connection, side.table)} WHERE {condition}", params
    )[0][0]


def live_and_deleted_count(side: Side) -> tuple[int, int]:
    """(rows not marked deleted, rows marked deleted) of a side (under its filter)."""
    connection = side.connection
    quote = quoter(connection)
    condition, params = side_filter(side)
    deleted = f"SUM({quote(side.deleted_at)} IS NOT NULL)" if side.deleted_at else "0"
    query = f"SELECT COUNT(*), {deleted} FROM {quote(side.table)} WHERE {condition}"
    rows, marked = fetch_all(connection, query, params)[0]
    return rows - int(marked or 0), int(marked or 0)


def has_rows(side: Side) -> bool:
    table = identifier(side.connection, side.table)
    return bool(fetch_all(side.connection, f"SELECT 1 FROM {table} LIMIT 1"))


def own_mark(side: Side) -> str | None:
    """The deleted_at of a mirror whose FAC table has none: opsync's own mark of a hard delete."""
    return side.deleted_at if side.deleted_at and side.deleted_at not in side.columns else None


def written_columns(side: Side) -> list[str]:
    """What a write sets: the mapped columns; the mirror's own deletion mark, cleared (FAC has the row);
    and when it was synced, where the table has a column for it."""
    return [*side.columns, *filter(None, (own_mark(side), side.synced_at))]


def stamped(side: Side, rows: Sequence[tuple], synced_at: datetime) -> list[tuple]:
    extra = ((None,) if own_mark(side) else ()) + ((synced_at,) if side.synced_at else ())
    return [(*row, *extra) for row in rows]


def upsert_statement(connection: BaseDatabaseWrapper, table: str, columns: Sequence[str]) -> str:
    """INSERT that updates on a conflict of the primary key, the mirror's only unique key."""
    quote = quoter(connection)
    insert = f"INSERT INTO {quote(table)} ({quoted(connection, columns)}) VALUES ({marks(len(columns))})"
    if connection.vendor == "mysql":
        updates = ", ".join(f"{quote(c)} = VALUES({quote(c)})" for c in columns[1:])
        return f"{insert} ON DUPLICATE KEY UPDATE {updates}"
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns[1:])
    return f"{insert} ON CONFLICT (id) DO UPDATE SET {updates}"


def upsert(side: Side, rows: Sequence[tuple], synced_at: datetime) -> None:
    """Write rows of opsync's own mirror in one statement: inserted or, by id, updated.

    Only for a table whose one unique key is the id: MySQL's upsert takes any unique key.
    """
    statement = upsert_statement(side.connection, side.table, written_columns(side))
    with side.connection.cursor() as cursor:
        cursor.executemany(statement, stamped(side, rows, synced_at))


def insert(side: Side, rows: Sequence[tuple], synced_at: datetime) -> None:
    """Insert new rows (an adopted table: its other columns take their defaults)."""
    statement = insert_statement(side.connection, side.table, written_columns(side))
    with side.connection.cursor() as cursor:
        cursor.executemany(statement, stamped(side, rows, synced_at))


def update(side: Side, rows: Sequence[tuple], synced_at: datetime) -> None:
    """Update rows by id, the mapped columns only (an adopted table: its other columns keep their values).

    On MySQL a batch is one statement, joining the table to the new values by id: nothing but
    the id can match (an upsert would match any unique key).
    """
    connection, columns = side.connection, written_columns(side)
    values = stamped(side, rows, synced_at)
    if connection.vendor != "mysql":
        with connection.cursor() as cursor:
            statement = update_statement(connection, side.table, columns[1:])
            cursor.executemany(statement, [(*row[1:], row[0]) for row in values])
        return
    per_statement = max(1, MAX_PARAMETERS // len(columns))
    for start in range(0, len(values), per_statement):
        batch = values[start : start + per_statement]
        execute(connection, joined_update_statement(connection, side.table, columns, len(batch)), flatten(batch))


MAX_PARAMETERS = 60_000  # MySQL's limit is 65 535 per statement


def joined_update_statement(connection: BaseDatabaseWrapper, table: str, columns: Sequence[str], rows: int) -> str:
    """UPDATE t JOIN (SELECT %s AS id, %s AS c1 … UNION ALL SELECT %s, %s …) v ON t.id = v.id SET t.c1 = v.c1 …"""
    quote = quoter(connection)
    first = "SELECT " + ", ".join(f"%s AS {quote(column)}" for column in columns)
    others = f" UNION ALL SELECT {marks(len(columns))}" * (rows - 1)
    assignments = ", ".join(f"t.{quote(c)} = v.{quote(c)}" for c in columns[1:])
    return f"UPDATE {quote(table)} t JOIN ({first}{others}) v ON t.id = v.id SET {assignments}"


def flatten(rows: Sequence[tuple]) -> list:
    return [value for row in rows for value in row]


def deleted_at_set(side: Side, ids: Sequence[int], when: datetime) -> None:
    """Set deleted_at (and synced_at, where the table has it) of these rows to `when`."""
    assert side.deleted_at, f"{side.table} has no deleted_at to set"
    columns = [side.deleted_at, side.synced_at] if side.synced_at else [side.deleted_at]
    assignments = ", ".join(f"{identifier(side.connection, column)} = %s" for column in columns)
    query = f"UPDATE {identifier(side.connection, side.table)} SET {assignments} WHERE id IN ({marks(len(ids))})"
    execute(side.connection, query, [*([when] * len(columns)), *ids])


def insert_statement(connection: BaseDatabaseWrapper, table: str, columns: Sequence[str]) -> str:
    """A plain INSERT of one row."""
    quote = quoter(connection)
    return f"INSERT INTO {quote(table)} ({quoted(connection, columns)}) VALUES ({marks(len(columns))})"


def update_statement(connection: BaseDatabaseWrapper, table: str, columns: Sequence[str]) -> str:
    """UPDATE some columns of the row whose id is the last parameter."""
    assignments = ", ".join(f"{identifier(connection, column)} = %s" for column in columns)
    return f"UPDATE {identifier(connection, table)} SET {assignments} WHERE id = %s"
