"""The first copy of id ranges the mirror does not have yet: FAC writes the lines, LOAD DATA reads them.

Turning every value into a Python object and back into SQL is what makes a naive full
copy slow (../shared/PERFORMANCE.md), and so is escaping every value in Python. Here the
FAC server builds each row's tab-separated line itself (NULLs as \\N, backslashes, tabs
and line breaks escaped, zero dates as NULL); Python only writes the lines to a file that
OPS loads with LOAD DATA LOCAL INFILE. That needs `local_infile` on the OPS server and
connection; where it is refused, the caller falls back to batched upserts.

LOAD DATA LOCAL turns errors into warnings (the server cannot stop the client's file
midway), so a load that warns is rolled back and the range copied row by row instead,
where a row OPS refuses is recorded like any other.
"""

import tempfile

from django.db import OperationalError, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp import sql
from syncapp.checksums import column_fields
from syncapp.mapping import TableMapping

# The server or the client refuses LOAD DATA LOCAL (local_infile off, or not allowed).
LOAD_REFUSED = {1148, 2068, 3948, 4166}
ROWS_PER_LOAD = 20_000


def char(code: int) -> str:
    """One character as SQL, free of quoting and backslash rules (and of NO_BACKSLASH_ESCAPES)."""
    return f"CHAR({code} USING utf8mb4)"


BACKSLASH = char(92)
NULL_MARK = f"CONCAT({BACKSLASH}, 'N')"
ESCAPES = ((92, "\\\\"), (9, "t"), (10, "n"), (13, "r"), (0, "0"))  # backslash first


def escaped(expression: str) -> str:
    """SQL: a text value escaped for LOAD DATA's default FIELDS ESCAPED BY '\\\\'."""
    for code, letter in ESCAPES:
        replacement = f"CONCAT({BACKSLASH}, {BACKSLASH})" if code == 92 else f"CONCAT({BACKSLASH}, '{letter}')"
        expression = f"REPLACE({expression}, {char(code)}, {replacement})"
    return expression


def tsv_line_sql(fac: BaseDatabaseWrapper, mapping: TableMapping) -> str:
    """SQL (for MySQL): a row as one LOAD DATA line, `%` doubled for a query with parameters."""
    fields = []
    for f in column_fields(mapping):
        column = fac.ops.quote_name(f.column)
        if isinstance(f, models.DateTimeField):
            value = f"NULLIF(DATE_FORMAT({column}, '%%Y-%%m-%%d %%H:%%i:%%s'), '0000-00-00 00:00:00')"
        elif isinstance(f, models.CharField | models.TextField):
            value = escaped(column)
        else:
            value = column  # numbers: nothing to escape
        fields.append(f"IFNULL({value}, {NULL_MARK})")
    return f"CONCAT_WS({char(9)}, {', '.join(fields)})"


class LoadRejected(Exception):
    """OPS loaded the file with warnings (a value cut, a duplicate id): roll this load back."""


class BulkLoader:
    """Copies whole id ranges from FAC into an OPS mirror table, inside the table's transaction."""

    def __init__(self, fac: BaseDatabaseWrapper, ops: BaseDatabaseWrapper, mapping: TableMapping, synced_at):
        self.fac, self.ops, self.mapping, self.synced_at = fac, ops, mapping, synced_at

    def copy(self, low: int, high: int, *, keep_ids: int | None) -> tuple[int, list[int]] | None:
        """Load the FAC rows with ids in [low, high).

        Returns how many rows were loaded and the first `keep_ids` of their ids (all with
        None), or None when OPS would not take the load cleanly (nothing of it is kept).
        """
        query = (
            f"SELECT id, {tsv_line_sql(self.fac, self.mapping)} "
            f"FROM {self.fac.ops.quote_name(self.mapping.fac_table)} WHERE id >= %s AND id < %s"
        )
        count, ids = 0, []
        try:
            with transaction.atomic(using=self.ops.alias):
                for batch in sql.stream(self.fac, query, [low, high], batch_size=ROWS_PER_LOAD):
                    self.load([line for _, line in batch])
                    count += len(batch)
                    if keep_ids is None or len(ids) < keep_ids:
                        ids += [row_id for row_id, _ in batch][: None if keep_ids is None else keep_ids - len(ids)]
        except LoadRejected:
            return None
        return count, ids

    def load(self, lines: list[str]) -> None:
        quote = self.ops.ops.quote_name
        columns = ", ".join(quote(c) for c in self.mapping.columns)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".tsv") as data:
            data.write("\n".join(lines))
            data.write("\n")
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
