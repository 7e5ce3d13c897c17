"""The SQL whose text or execution differs between MySQL/MariaDB and SQLite.

Everything here takes a Django connection and works on raw tuples: the sync compares
and writes hundreds of thousands of rows, and model instances would dominate its cost.
"""

import hashlib
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.backends.base.base import BaseDatabaseWrapper

Fingerprint = tuple[int, int, int]  # (row count, sum of ids, xor of 64-bit hashes of ids)
EMPTY_FINGERPRINT: Fingerprint = (0, 0, 0)


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
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return None
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


# The first 64 bits of MD5, as MySQL computes them. Not CRC32: CRC is linear, so the xor
# of the CRCs of two rows that swap a value (two codes, say) does not change.
HASH64_SQL = "CAST(CONV(LEFT(MD5({}), 16), 16, 10) AS UNSIGNED)"


def hash64(text: str) -> int:
    """The same 64 bits in Python."""
    return int.from_bytes(hashlib.md5(text.encode(), usedforsecurity=False).digest()[:8], "big")


def fingerprint_add(fingerprint: Fingerprint, row_id: int) -> Fingerprint:
    """Fold one id into a chunk's fingerprint; the same fold removes it again from the xor."""
    count, total, xor = fingerprint
    return count + 1, total + row_id, xor ^ hash64(str(row_id))


def fingerprint_remove(fingerprint: Fingerprint, row_id: int) -> Fingerprint:
    count, total, xor = fingerprint
    return count - 1, total - row_id, xor ^ hash64(str(row_id))


def id_fingerprints(connection: BaseDatabaseWrapper, table: str, *, chunk: int) -> dict[int, Fingerprint]:
    """Per id range of `chunk` ids: how many ids, their sum, and the xor of their hashes.

    Comparing these between FAC and OPS finds the ranges where ids were added or
    removed without fetching every id: MySQL computes them in one primary-key scan.
    SQLite (the demo) has no MD5, so Python folds the ids the same way.
    """
    quote = connection.ops.quote_name
    if connection.vendor == "mysql":
        rows = fetch_all(
            connection,
            f"SELECT id DIV %s, COUNT(*), SUM(id), BIT_XOR({HASH64_SQL.format('id')}) FROM {quote(table)} GROUP BY 1",
            [chunk],
        )
        return {int(key): (int(count), int(total), int(xor)) for key, count, total, xor in rows}
    fingerprints: dict[int, Fingerprint] = {}
    for batch in stream(connection, f"SELECT id FROM {quote(table)}", [], batch_size=10_000):
        for (row_id,) in batch:
            key = row_id // chunk
            fingerprints[key] = fingerprint_add(fingerprints.get(key, EMPTY_FINGERPRINT), row_id)
    return fingerprints


def ids_between(connection: BaseDatabaseWrapper, table: str, low: int, high: int) -> set[int]:
    """Ids in [low, high)."""
    sql = f"SELECT id FROM {connection.ops.quote_name(table)} WHERE id >= %s AND id < %s"
    return {row_id for (row_id,) in fetch_all(connection, sql, [low, high])}


def rows_by_id(connection: BaseDatabaseWrapper, table: str, columns: list[str], ids: list[int]) -> dict[int, tuple]:
    """Rows (columns[0] must be `id`) for some ids, keyed by id."""
    if not ids:
        return {}
    sql = (
        f"SELECT {quoted(connection, columns)} FROM {connection.ops.quote_name(table)} "
        f"WHERE id IN ({', '.join(['%s'] * len(ids))})"
    )
    return {row[0]: row for row in fetch_all(connection, sql, ids)}
