"""The SQL whose text or execution differs between MySQL/MariaDB and SQLite.

Everything here takes a Django connection and works on raw tuples: the sync compares
and writes hundreds of thousands of rows, and model instances would dominate its cost.
"""

import hashlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TypeVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

T = TypeVar("T")
U = TypeVar("U")


def quoted(connection: BaseDatabaseWrapper, names: Iterable[str]) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def stream(connection: BaseDatabaseWrapper, sql: str, params, *, batch_size: int) -> Iterator[list[tuple]]:
    """A query's rows, a batch at a time, without holding the whole result in memory.

    On MySQL this takes a server-side (unbuffered) cursor on the raw connection: one scan,
    constant memory. The connection must not run another query until the stream ends.
    """
    connection.ensure_connection()
    if connection.vendor != "mysql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(batch_size):
                yield batch
        return
    from MySQLdb.cursors import SSCursor

    with connection.wrap_database_errors:
        cursor = connection.connection.cursor(SSCursor)
        try:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(batch_size):
                yield list(batch)
        finally:
            cursor.close()


def fetch_all(connection: BaseDatabaseWrapper, sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def upsert_statement(connection: BaseDatabaseWrapper, table: str, columns: list[str]) -> str:
    """INSERT that updates on a conflict of the primary key, the mirror's only unique key."""
    insert = (
        f"INSERT INTO {connection.ops.quote_name(table)} ({quoted(connection, columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    quote = connection.ops.quote_name
    if connection.vendor == "mysql":
        updates = ", ".join(f"{quote(c)} = VALUES({quote(c)})" for c in columns[1:])
        return f"{insert} ON DUPLICATE KEY UPDATE {updates}"
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns[1:])
    return f"{insert} ON CONFLICT (id) DO UPDATE SET {updates}"


def server_utc_now(connection: BaseDatabaseWrapper) -> datetime:
    """The database server's clock, in UTC (naive), as FAC's own data is read."""
    sql = "SELECT UTC_TIMESTAMP()" if connection.vendor == "mysql" else "SELECT CURRENT_TIMESTAMP"
    value = fetch_all(connection, sql)[0][0]
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def table_columns(connection: BaseDatabaseWrapper, table: str) -> list[str] | None:
    """The live columns of a table, or None when it does not exist."""
    if connection.vendor == "mysql":  # one query, where Django's introspection makes five
        query = "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = %s"
        return [name for (name,) in fetch_all(connection, query, [table])] or None
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return None
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


# The first 64 bits of MD5, as MySQL computes them: the row hash of checksums.py. Not
# CRC32: CRC is linear, so the xor of the CRCs of two rows that swap a value (two codes,
# say) does not change.
HASH64_SQL = "CAST(CONV(LEFT(MD5({}), 16), 16, 10) AS UNSIGNED)"


def hash64(text: str) -> int:
    """The same 64 bits in Python."""
    return int.from_bytes(hashlib.md5(text.encode(), usedforsecurity=False).digest()[:8], "big")


IdSums = tuple[int, int, int, int]  # (ids, their sum, sum of their squares mod a prime, their xor)
PRIME = 4294967291  # the largest prime below 2**32: (id % PRIME) ** 2 fits in 64 bits


def id_sums(
    connection: BaseDatabaseWrapper,
    table: str,
    *,
    chunk: int,
    condition: str = "",
    since: datetime | None = None,
    live: bool = False,
) -> tuple[dict[int, IdSums], dict[int, int]]:
    """Per range of `chunk` ids: sums that differ when the set of ids differs, and a count
    per range: with `since`, of rows whose updated_at >= since; with `live`, of rows not
    marked deleted.

    One primary-key scan per side finds both the ranges where ids were added or removed and
    the ranges holding changed rows, so that only those are read row by row. Integer sums,
    not hashes, because this runs on every incremental run.
    """
    quote = connection.ops.quote_name
    where = f"WHERE {condition}" if condition else ""
    if connection.vendor == "mysql":
        counted = "SUM(updated_at >= %s)" if since else "SUM(deleted_at IS NULL)" if live else "0"
        query = (
            f"SELECT id DIV %s, COUNT(*), SUM(id), SUM((id %% {PRIME}) * (id %% {PRIME})), BIT_XOR(id), {counted} "
            f"FROM {quote(table)} {where} GROUP BY 1 ORDER BY NULL"  # no sort: MariaDB would sort the groups
        )
        rows = fetch_all(connection, query, [chunk, since] if since else [chunk])
        sums = {int(r[0]): (int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows}
        return sums, {int(r[0]): int(r[5] or 0) for r in rows}
    sums: dict[int, IdSums] = {}
    counts: dict[int, int] = {}
    query = f"SELECT id, updated_at, deleted_at FROM {quote(table)} {where}"
    for batch in stream(connection, query, [], batch_size=10_000):
        for row_id, updated_at, deleted_at in batch:
            key = row_id // chunk
            count, total, squares, xor = sums.get(key, (0, 0, 0, 0))
            sums[key] = (count + 1, total + row_id, squares + (row_id % PRIME) ** 2, xor ^ row_id)
            if since is not None:
                counted = updated_at is not None and updated_at >= since
            else:
                counted = live and deleted_at is None
            counts[key] = counts.get(key, 0) + counted
    return sums, counts


def ranges(keys: list[int], chunk: int) -> list[tuple[int, int]]:
    """Consecutive range keys merged: [3, 4, 5, 9] → [(3000, 6000), (9000, 10000)] for chunk 1000."""
    merged: list[tuple[int, int]] = []
    for key in sorted(keys):
        low, high = key * chunk, (key + 1) * chunk
        if merged and merged[-1][1] == low:
            merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


def in_parallel(background: Callable[[], T], foreground: Callable[[], U]) -> tuple[T, U]:
    """Run two queries at once, one per connection: each server works while the other does.

    `background` runs in a worker thread, which opens (and closes) its own connections: it
    must look them up inside, with `connections[alias]`.
    """

    def work() -> T:
        try:
            return background()
        finally:
            connections.close_all()  # the worker thread's connections only

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(work)
        here = foreground()
        return future.result(), here


def ids_between(connection: BaseDatabaseWrapper, table: str, low: int, high: int, condition: str = "") -> set[int]:
    """Ids in [low, high) (and meeting a condition)."""
    sql = f"SELECT id FROM {connection.ops.quote_name(table)} WHERE id >= %s AND id < %s"
    return {row_id for (row_id,) in fetch_all(connection, f"{sql} AND {condition}" if condition else sql, [low, high])}


def rows_by_id(connection: BaseDatabaseWrapper, table: str, columns: list[str], ids: list[int]) -> dict[int, tuple]:
    """Rows (columns[0] must be `id`) for some ids, keyed by id."""
    if not ids:
        return {}
    sql = (
        f"SELECT {quoted(connection, columns)} FROM {connection.ops.quote_name(table)} "
        f"WHERE id IN ({', '.join(['%s'] * len(ids))})"
    )
    return {row[0]: row for row in fetch_all(connection, sql, ids)}
