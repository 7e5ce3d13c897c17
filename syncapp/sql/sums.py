"""Aggregates per range of ids, computed by each server: comparisons that read no rows.

MySQL computes them in SQL. SQLite (the demo) has no MD5 nor BIT_XOR, so there the same
figures are computed in Python from a stream of the rows: the same results, more slowly.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from django.db import models

from syncapp.sql.canonical import row_hash
from syncapp.sql.execute import as_datetime, fetch_all, quoted, stream
from syncapp.sql.fields import BitField, PreciseDateTimeField
from syncapp.sql.names import identifier
from syncapp.sql.rows import column_sql, cursor_sql, side_filter
from syncapp.sql.side import Side

IdSums = tuple[int, int, int, int]  # (ids, their sum, sum of their squares mod a prime, their xor)
PRIME = 4294967291  # the largest prime below 2**32: (id % PRIME) ** 2 fits in 64 bits
Sums = tuple[int, int]  # (rows, xor of their hashes)

# The first 64 bits of MD5, as an unsigned integer: syncapp.sql.canonical.hash64 in SQL.
HASH64_SQL = "CAST(CONV(LEFT(MD5({}), 16), 16, 10) AS UNSIGNED)"
# A legacy zero date reads as NULL, as the sync stores it (`%` doubled: queries take parameters).
DATETIME_TEXT_SQL = "NULLIF(DATE_FORMAT({}, '%%Y-%%m-%%d %%H:%%i:%%s'), '0000-00-00 00:00:00')"
PRECISE_DATETIME_TEXT_SQL = "NULLIF(DATE_FORMAT({}, '%%Y-%%m-%%d %%H:%%i:%%s.%%f'), '0000-00-00 00:00:00.000000')"
DATE_TEXT_SQL = "NULLIF(DATE_FORMAT({}, '%%Y-%%m-%%d'), '0000-00-00')"
# One item of the canonical text (syncapp.sql.canonical.item): `-` for NULL, else length, colon, text.
ITEM_SQL = "IF({0} IS NULL, '-', CONCAT(CHAR_LENGTH({0}), ':', {0}))"


class IdSummary(NamedTuple):
    """What id_sums finds: per range key, the id sums, and with `live` the count of live rows; with
    `since`, per range key holding rows changed since then, their lowest and highest id, and the
    side's newest updated_at (what the run learns of FAC in passing, for the read side)."""

    sums: dict[int, IdSums]
    counts: dict[int, int]
    newest: datetime | None = None
    changed: dict[int, tuple[int, int]] = {}

    @property
    def rows(self) -> int:
        return sum(count for count, _, _, _ in self.sums.values())


def id_sums(side: Side, *, chunk: int, since: datetime | None = None, live: bool = False) -> IdSummary:
    """Per range of `chunk` ids: sums that differ when the set of ids differs; with `live`, a count
    of rows not marked deleted (all of them on a side without deleted_at); with `since`, the lowest
    and highest id of the rows whose updated_at >= since, and the newest updated_at.

    One primary-key scan per side finds both the ranges where ids were added or removed and
    the ranges holding changed rows, and where in them, so that only those rows are read. Integer
    sums, not hashes, because this runs on every incremental run: the changed rows' extent costs
    what their count did, where a hash of them would have the server fetch every row's columns.
    """
    connection = side.connection
    condition, params = side_filter(side)
    table = identifier(connection, side.table)
    deleted_at = identifier(connection, side.deleted_at) if side.deleted_at else None
    if connection.vendor == "mysql":
        counted, changed, changed_params = "0", "NULL, NULL, NULL", []
        if live:
            counted = f"SUM({deleted_at} IS NULL)" if deleted_at else "COUNT(*)"
        if since is not None:
            recent = f"{cursor_sql(side)} >= %s"
            changed = f"MIN(IF({recent}, id, NULL)), MAX(IF({recent}, id, NULL)), MAX({cursor_sql(side)})"
            changed_params = [since, since]
        query = (
            f"SELECT id DIV %s, COUNT(*), SUM(id), SUM((id %% %s) * (id %% %s)), BIT_XOR(id), {counted}, {changed} "
            f"FROM {table} WHERE {condition} GROUP BY 1 ORDER BY NULL"  # no sort: MariaDB would sort the groups
        )
        rows = fetch_all(connection, query, [chunk, PRIME, PRIME, *changed_params, *params])
        sums = {int(r[0]): (int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows}
        extents = {int(r[0]): (int(r[6]), int(r[7])) for r in rows if r[6] is not None}
        newest_found = max((as_datetime(r[8]) for r in rows if r[8] is not None), default=None)
        return IdSummary(sums, {int(r[0]): int(r[5] or 0) for r in rows}, newest_found, extents)
    stamps = f"{cursor_sql(side) if since else 'NULL'}, {deleted_at or 'NULL'}"
    batches = stream(connection, f"SELECT id, {stamps} FROM {table} WHERE {condition}", params, batch_size=10_000)
    return python_id_sums(batches, chunk=chunk, since=since, live=live)


def python_id_sums(batches, *, chunk: int, since: datetime | None, live: bool) -> IdSummary:
    """id_sums over (id, updated_at, deleted_at) rows, for SQLite."""
    sums: dict[int, IdSums] = {}
    counts: dict[int, int] = {}
    changed: dict[int, tuple[int, int]] = {}
    newest = None
    for batch in batches:
        for row_id, updated_at, deleted_at in batch:
            key = row_id // chunk
            count, total, squares, xor = sums.get(key, (0, 0, 0, 0))
            sums[key] = (count + 1, total + row_id, squares + (row_id % PRIME) ** 2, xor ^ row_id)
            counts[key] = counts.get(key, 0) + (live and deleted_at is None)
            if since is None or updated_at is None:
                continue
            if newest is None or updated_at > newest:
                newest = updated_at
            if updated_at >= since:
                low, high = changed.get(key, (row_id, row_id))
                changed[key] = (min(low, row_id), max(high, row_id))
    return IdSummary(sums, counts, as_datetime(newest), changed)


def canonical_expression(side: Side, fields: Sequence[models.Field]) -> str:
    """MySQL: the 64-bit hash of a row's canonical text (syncapp.sql.canonical), `%` doubled."""
    values = (value_sql(f, column_sql(side, column)) for column, f in zip(side.columns, fields, strict=True))
    items = [ITEM_SQL.format(value) for value in values]
    return HASH64_SQL.format(f"CONCAT({', '.join(items)})")


def value_sql(f: models.Field, value: str) -> str:
    """MySQL: a value as the canonical text writes it (syncapp.sql.canonical.value_text), kind by kind."""
    if isinstance(f, PreciseDateTimeField):
        return PRECISE_DATETIME_TEXT_SQL.format(value)
    if isinstance(f, models.DateTimeField):
        return DATETIME_TEXT_SQL.format(value)
    if isinstance(f, models.DateField):
        return DATE_TEXT_SQL.format(value)
    if isinstance(f, models.DecimalField):
        # At FAC's scale whatever OPS's: 12.5 reads 12.50 in a DECIMAL(15,3) column too.
        return f"CAST(CAST({value} AS DECIMAL(65, {int(f.decimal_places or 0)})) AS CHAR)"
    if isinstance(f, BitField):
        return f"CAST(CAST({value} AS UNSIGNED) AS CHAR)"
    if isinstance(f, models.BinaryField):
        return f"HEX({value})"
    if isinstance(f, models.BooleanField):
        return f"CAST({value} AS CHAR)"
    return value  # text and numbers: CONCAT writes them as they are


def chunk_checksums(
    side: Side, fields: Sequence[models.Field], *, chunk: int, newest: bool = False
) -> tuple[dict[int, Sums], datetime | None]:
    """Per range of `chunk` ids: (rows, xor of their hashes); with `newest` (FAC), the newest updated_at."""
    connection = side.connection
    condition, params = side_filter(side)
    table = identifier(connection, side.table)
    latest_sql = f"MAX({cursor_sql(side)})" if newest else "NULL"
    if connection.vendor == "mysql":
        hashed = canonical_expression(side, fields)
        query = (
            f"SELECT id DIV %s, COUNT(*), BIT_XOR({hashed}), {latest_sql} "
            f"FROM {table} WHERE {condition} GROUP BY 1 ORDER BY NULL"
        )
        rows = fetch_all(connection, query, [chunk, *params])
        latest = max((row[3] for row in rows if row[3] is not None), default=None)
        return {int(key): (int(count), int(xor)) for key, count, xor, _ in rows}, latest
    sums: dict[int, Sums] = {}
    latest = None
    stamp = cursor_sql(side) if newest else "NULL"
    query = f"SELECT {quoted(connection, side.columns)}, {stamp} FROM {table} WHERE {condition}"
    for batch in stream(connection, query, params, batch_size=5000):
        for *row, updated_at in batch:
            count, xor = sums.get(row[0] // chunk, (0, 0))
            sums[row[0] // chunk] = (count + 1, xor ^ row_hash(fields, row))
            if updated_at is not None and (latest is None or updated_at > latest):
                latest = updated_at
    return sums, latest


def row_hashes(side: Side, fields: Sequence[models.Field], low: int, high: int) -> dict[int, int]:
    """The hash of each row with an id in [low, high), keyed by id."""
    connection = side.connection
    condition, params = side_filter(side)
    table = identifier(connection, side.table)
    where = f"WHERE id >= %s AND id < %s AND {condition}"
    if connection.vendor == "mysql":
        query = f"SELECT id, {canonical_expression(side, fields)} FROM {table} {where}"
        return {row_id: int(hashed) for row_id, hashed in fetch_all(connection, query, [low, high, *params])}
    query = f"SELECT {quoted(connection, side.columns)} FROM {table} {where}"
    return {row[0]: row_hash(fields, row) for row in fetch_all(connection, query, [low, high, *params])}
