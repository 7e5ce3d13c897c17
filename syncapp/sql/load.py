"""The first copy of a range: FAC writes each row as a LOAD DATA line, OPS loads the file.

The FAC server builds each row's tab-separated line itself (NULLs as \\N, backslashes, tabs
and line breaks escaped, zero dates as NULL), so Python never converts a value. Binary values
(BLOB, BIT) do not travel as text: a table that has them is copied by upserts.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime

from django.db import models

from syncapp.sql.execute import execute, quoted, stream
from syncapp.sql.names import identifier, quoter
from syncapp.sql.rows import column_sql
from syncapp.sql.side import Side
from syncapp.sql.sums import value_sql


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


def line_expression(side: Side, fields: Sequence[models.Field]) -> str:
    """SQL (MySQL): a row as one LOAD DATA line, `%` doubled for a query with parameters."""
    values = []
    for column, f in zip(side.columns, fields, strict=True):
        name = column_sql(side, column)
        if isinstance(f, models.DateField):  # DATE, DATETIME, TIMESTAMP: as the canonical text has them
            value = value_sql(f, name)
        elif isinstance(f, models.CharField | models.TextField):
            value = escaped(name)
        else:
            value = name  # numbers and times: nothing to escape
        values.append(f"IFNULL({value}, {NULL_MARK})")
    return f"CONCAT_WS({char(9)}, {', '.join(values)})"


def stream_lines(
    side: Side, fields: Sequence[models.Field], low: int, high: int, *, batch_size: int
) -> Iterator[list[tuple[int, str]]]:
    """(id, LOAD DATA line) of every row with an id in [low, high), a batch at a time."""
    connection = side.connection
    line = line_expression(side, fields)
    query = f"SELECT id, {line} FROM {identifier(connection, side.table)} WHERE id >= %s AND id < %s"
    return stream(side.connection, query, [low, high], batch_size=batch_size)


def file_load(side: Side, path: str, synced_at: datetime) -> int:
    """LOAD DATA LOCAL INFILE into the side's columns; returns the server's warning count.

    The file's lines hold the mapped columns; the table's other columns take their defaults.
    """
    connection = side.connection
    quote = quoter(connection)
    statement = (
        f"LOAD DATA LOCAL INFILE %s INTO TABLE {quote(side.table)} CHARACTER SET utf8mb4 "
        f"({quoted(connection, side.columns)})"
    )
    if side.synced_at:
        execute(connection, f"{statement} SET {quote(side.synced_at)} = %s", [path, synced_at])
    else:
        execute(connection, statement, [path])
    return connection.connection.warning_count()
