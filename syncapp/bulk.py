"""The first copy of id ranges the mirror does not have yet: raw FAC bytes, LOAD DATA into OPS.

Turning every value into a Python object and back into SQL is what makes a naive full
copy slow (../shared/PERFORMANCE.md): here FAC's values are read as the server sends them
(no conversions), written as a tab-separated file, and loaded with LOAD DATA LOCAL
INFILE. It needs `local_infile` on the OPS server and connection; where it is refused,
the caller falls back to batched upserts.

LOAD DATA LOCAL turns errors into warnings (the server cannot stop the client's file
midway), so a load that warns is rolled back and the range copied row by row instead,
where a row OPS refuses is recorded like any other.
"""

import tempfile

import MySQLdb
from django.db import OperationalError, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.checksums import column_fields
from syncapp.mapping import TableMapping

# The server or the client refuses LOAD DATA LOCAL (local_infile off, or not allowed).
LOAD_REFUSED = {1148, 2068, 3948, 4166}
TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"})
NULL = "\\N"
ROWS_PER_LOAD = 20_000


class LoadRejected(Exception):
    """OPS loaded the file with warnings (a value cut, a duplicate id): roll this load back."""


def tsv_line(row: tuple, datetimes: list[bool]) -> str:
    fields = []
    for value, is_datetime in zip(row, datetimes, strict=True):
        if value is None:
            fields.append(NULL)
            continue
        text = value.decode() if isinstance(value, bytes) else value  # numbers and dates come as ASCII bytes
        if is_datetime and text.startswith("0000-00-00"):
            fields.append(NULL)  # a legacy zero date is stored as NULL
        else:
            fields.append(text.translate(TSV_ESCAPES))
    return "\t".join(fields) + "\n"


class BulkLoader:
    """Copies whole id ranges from FAC into an OPS mirror table, inside the table's transaction."""

    def __init__(self, fac: BaseDatabaseWrapper, ops: BaseDatabaseWrapper, mapping: TableMapping, synced_at):
        self.fac, self.ops, self.mapping, self.synced_at = fac, ops, mapping, synced_at
        self.datetimes = [isinstance(f, models.DateTimeField) for f in column_fields(mapping)]
        self.raw = None

    def close(self) -> None:
        if self.raw is not None:
            self.raw.close()

    def raw_fac(self):
        """A FAC connection that returns values undecoded: the same settings, no converters."""
        if self.raw is None:
            self.raw = MySQLdb.connect(**{**self.fac.get_connection_params(), "conv": {}})
        return self.raw

    def copy(self, low: int, high: int, *, keep_ids: int | None) -> tuple[int, list[int]] | None:
        """Load the FAC rows with ids in [low, high).

        Returns how many rows were loaded and the first `keep_ids` of their ids (all with
        None), or None when OPS would not take the load cleanly (nothing of it is kept).
        """
        quote = self.fac.ops.quote_name
        columns = ", ".join(quote(c) for c in self.mapping.columns)
        query = f"SELECT {columns} FROM {quote(self.mapping.fac_table)} WHERE id >= %s AND id < %s"
        cursor = self.raw_fac().cursor(MySQLdb.cursors.SSCursor)
        count, ids = 0, []
        try:
            with self.fac.wrap_database_errors:
                cursor.execute(query, (low, high))
            with transaction.atomic(using=self.ops.alias):
                while batch := cursor.fetchmany(ROWS_PER_LOAD):
                    self.load(batch)
                    count += len(batch)
                    if keep_ids is None or len(ids) < keep_ids:
                        ids.extend(int(row[0]) for row in batch[: None if keep_ids is None else keep_ids - len(ids)])
        except LoadRejected:
            return None
        finally:
            cursor.close()
        return count, ids

    def load(self, batch: tuple) -> None:
        quote = self.ops.ops.quote_name
        columns = ", ".join(quote(c) for c in self.mapping.columns)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".tsv") as data:
            data.writelines(tsv_line(row, self.datetimes) for row in batch)
            data.flush()
            with self.ops.cursor() as cursor:
                cursor.execute(
                    f"LOAD DATA LOCAL INFILE %s INTO TABLE {quote(self.mapping.ops_table)} CHARACTER SET utf8mb4 "
                    f"({columns}) SET {quote('synced_at')} = %s",
                    [data.name, self.synced_at],
                )
            if self.ops.connection.warning_count():
                raise LoadRejected


def load_refused(exc: OperationalError) -> bool:
    return bool(exc.args) and exc.args[0] in LOAD_REFUSED
