"""Comparing a FAC table with its mirror without copying it: checksums per id range.

As Percona's pt-table-checksum does, each row's mirrored columns are turned into one
canonical text (values joined by a separator, then a NULL marker per column), hashed
(64 bits of MD5, not CRC32: CRC is linear, and two rows swapping a code would leave the
XOR of their CRCs unchanged), and the hashes of a range of ids folded with XOR next to
the row count. Each
server computes its side; only ranges whose (count, xor) differ are compared row by row.
MySQL computes it in SQL; SQLite (the demo) in Python, producing the very same text.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp import sql
from syncapp.mapping import TableMapping

CHUNK = 1000  # ids per range
SEPARATOR = "\x1f"  # CHAR(31), the ASCII unit separator
Sums = tuple[int, int]  # (rows, xor of their hashes)
ChunkSums = dict[int, Sums]


def column_fields(mapping: TableMapping) -> list[models.Field]:
    by_column = {f.column: f for f in mapping.mirror._meta.concrete_fields}
    return [by_column[column] for column in mapping.columns]


def canonical_sql(connection: BaseDatabaseWrapper, mapping: TableMapping) -> str:
    """MySQL: the hash of a row's canonical text (`%` doubled: the query takes parameters)."""
    expressions = []
    for f in column_fields(mapping):
        column = connection.ops.quote_name(f.column)
        if isinstance(f, models.DateTimeField):
            # A legacy zero date reads as NULL, as the sync stores it.
            expressions.append(f"NULLIF(DATE_FORMAT({column}, '%%Y-%%m-%%d %%H:%%i:%%s'), '0000-00-00 00:00:00')")
        elif isinstance(f, models.DecimalField | models.BooleanField):
            expressions.append(f"CAST({column} AS CHAR)")
        else:
            expressions.append(column)
    nulls = ", ".join(f"ISNULL({e})" for e in expressions)
    return sql.HASH64_SQL.format(f"CONCAT_WS(CHAR(31), {', '.join(expressions)}, CONCAT({nulls}))")


def canonical_text(fields: list[models.Field], row: tuple) -> str:
    """Python: the same text as canonical_sql, for SQLite."""
    texts, nulls = [], []
    for f, value in zip(fields, row, strict=True):
        nulls.append("1" if value is None else "0")
        if value is None:
            continue  # CONCAT_WS skips NULLs; the markers tell them apart
        if isinstance(f, models.DateTimeField):
            texts.append(value.strftime("%Y-%m-%d %H:%M:%S"))
        elif isinstance(f, models.DecimalField):
            texts.append(f"{value:.{f.decimal_places}f}")
        elif isinstance(f, models.BooleanField):
            texts.append(str(int(value)))
        else:
            texts.append(str(value))
    return SEPARATOR.join([*texts, "".join(nulls)])


def row_hash(fields: list[models.Field], row: tuple) -> int:
    return sql.hash64(canonical_text(fields, row))


@dataclass
class TableSide:
    """One side of the comparison: a database alias, a table, and a condition on its rows (OPS: still in FAC)."""

    alias: str
    table: str
    mapping: TableMapping
    condition: str = ""

    @property
    def connection(self) -> BaseDatabaseWrapper:
        return connections[self.alias]  # looked up in the calling thread: the sides run in two

    def where(self, condition: str = "1 = 1") -> str:
        return f"WHERE {condition} AND {self.condition}" if self.condition else f"WHERE {condition}"

    def chunk_sums(self) -> tuple[ChunkSums, datetime | None]:
        """Per range of ids: (rows, xor of their hashes); and the newest updated_at."""
        connection = self.connection
        quoted = connection.ops.quote_name(self.table)
        if connection.vendor == "mysql":
            hashed = canonical_sql(connection, self.mapping)
            query = (
                f"SELECT id DIV %s, COUNT(*), BIT_XOR({hashed}), MAX(updated_at) "
                f"FROM {quoted} {self.where()} GROUP BY 1 ORDER BY NULL"
            )
            rows = sql.fetch_all(connection, query, [CHUNK])
            newest = max((row[3] for row in rows if row[3] is not None), default=None)
            return {int(key): (int(count), int(xor)) for key, count, xor, _ in rows}, newest
        sums: ChunkSums = {}
        newest = None
        query = f"SELECT {sql.quoted(connection, self.mapping.columns)} FROM {quoted} {self.where()}"
        fields = column_fields(self.mapping)
        updated_at = self.mapping.columns.index("updated_at")
        for batch in sql.stream(connection, query, [], batch_size=5000):
            for row in batch:
                count, xor = sums.get(row[0] // CHUNK, (0, 0))
                sums[row[0] // CHUNK] = (count + 1, xor ^ row_hash(fields, row))
                if row[updated_at] is not None and (newest is None or row[updated_at] > newest):
                    newest = row[updated_at]
        return sums, newest

    def row_hashes(self, low: int, high: int) -> dict[int, int]:
        quoted = self.connection.ops.quote_name(self.table)
        where = self.where("id >= %s AND id < %s")
        if self.connection.vendor == "mysql":
            query = f"SELECT id, {canonical_sql(self.connection, self.mapping)} FROM {quoted} {where}"
            return {row_id: int(crc) for row_id, crc in sql.fetch_all(self.connection, query, [low, high])}
        query = f"SELECT {sql.quoted(self.connection, self.mapping.columns)} FROM {quoted} {where}"
        fields = column_fields(self.mapping)
        return {row[0]: row_hash(fields, row) for row in sql.fetch_all(self.connection, query, [low, high])}


@dataclass
class ChunkComparison:
    low: int
    high: int
    equal: int = 0  # rows known identical on both sides
    missing: list[int] = field(default_factory=list)  # in FAC, not in OPS
    differing: list[int] = field(default_factory=list)  # in both, different
    extra: list[int] = field(default_factory=list)  # in OPS, gone from FAC

    @property
    def ops_empty(self) -> bool:
        return not self.equal and not self.differing and not self.extra


class TableComparison:
    """Both sides' range sums, computed at once by the two servers, then compared range by range."""

    def __init__(self, fac: TableSide, ops: TableSide):
        self.fac, self.ops = fac, ops
        (self.fac_sums, self.fac_newest), (self.ops_sums, _) = sql.in_parallel(fac.chunk_sums, ops.chunk_sums)

    @property
    def fac_rows(self) -> int:
        return sum(count for count, _ in self.fac_sums.values())

    def chunks(self) -> Iterator[ChunkComparison]:
        return compare_sums(self.fac, self.ops, self.fac_sums, self.ops_sums)


def compare_sums(fac: TableSide, ops: TableSide, fac_sums: ChunkSums, ops_sums: ChunkSums) -> Iterator[ChunkComparison]:
    """Every id range of either side, in order; ranges whose sums agree are not read row by row."""
    for key in sorted(fac_sums.keys() | ops_sums.keys()):
        low, high = key * CHUNK, (key + 1) * CHUNK
        if fac_sums.get(key) == ops_sums.get(key):
            yield ChunkComparison(low, high, equal=fac_sums[key][0])
            continue
        if key not in ops_sums:  # nothing of this range in OPS yet: ids are enough
            yield ChunkComparison(low, high, missing=sorted(sql.ids_between(fac.connection, fac.table, low, high)))
            continue
        fac_rows, ops_rows = fac.row_hashes(low, high), ops.row_hashes(low, high)
        yield ChunkComparison(
            low,
            high,
            equal=sum(1 for row_id, crc in fac_rows.items() if ops_rows.get(row_id) == crc),
            missing=sorted(fac_rows.keys() - ops_rows.keys()),
            differing=sorted(i for i in fac_rows.keys() & ops_rows.keys() if fac_rows[i] != ops_rows[i]),
            extra=sorted(ops_rows.keys() - fac_rows.keys()),
        )
