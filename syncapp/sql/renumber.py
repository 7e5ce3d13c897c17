"""Moving rows of an OPS table to other ids, with every foreign key that references them (MySQL)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.sql.execute import execute, fetch_all, marks
from syncapp.sql.names import identifier, quoter


@dataclass(frozen=True)
class Reference:
    """A foreign-key column of an OPS table that references another table's id."""

    table: str
    column: str
    constraint: str


def references_to(connection: BaseDatabaseWrapper, table: str) -> list[Reference]:
    """Every foreign key of the OPS database that references `table`.id, as information_schema has it."""
    query = (
        "SELECT table_name, column_name, constraint_name FROM information_schema.key_column_usage "
        "WHERE referenced_table_schema = DATABASE() AND table_schema = DATABASE() "
        "AND referenced_table_name = %s AND referenced_column_name = 'id' ORDER BY table_name, column_name"
    )
    return [Reference(*row) for row in fetch_all(connection, query, [table])]


def highest_id(connection: BaseDatabaseWrapper, table: str) -> int:
    return fetch_all(connection, f"SELECT COALESCE(MAX(id), 0) FROM {identifier(connection, table)}")[0][0]


def existing(connection: BaseDatabaseWrapper, table: str, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    query = f"SELECT id FROM {identifier(connection, table)} WHERE id IN ({marks(len(ids))})"
    return {row_id for (row_id,) in fetch_all(connection, query, ids)}


def reference_counts(connection: BaseDatabaseWrapper, reference: Reference, ids: Sequence[int]) -> dict[int, int]:
    """How many rows of the referencing table point at each of these ids."""
    if not ids:
        return {}
    quote = quoter(connection)
    column = quote(reference.column)
    query = (
        f"SELECT {column}, COUNT(*) FROM {quote(reference.table)} WHERE {column} IN ({marks(len(ids))}) "
        f"GROUP BY {column}"
    )
    return dict(fetch_all(connection, query, ids))


def moved(connection: BaseDatabaseWrapper, table: str, column: str, moves: Sequence[tuple[int, int]]) -> int:
    """Set `column` from each old value to its new one, in one statement; the rows changed."""
    quote = quoter(connection)
    pairs = " UNION ALL ".join(["SELECT %s AS old_id, %s AS new_id"] * len(moves))
    statement = (
        f"UPDATE {quote(table)} t JOIN ({pairs}) m ON t.{quote(column)} = m.old_id SET t.{quote(column)} = m.new_id"
    )
    return execute(connection, statement, [value for move in moves for value in move])


def foreign_key_checks(connection: BaseDatabaseWrapper, on: bool) -> None:
    """Off while a row and its references move together (in one transaction); on again after."""
    execute(connection, f"SET SESSION foreign_key_checks = {int(on)}")


def auto_increment_statement(connection: BaseDatabaseWrapper, table: str, value: int) -> str:
    """The statement the operator runs so that the application's next own rows start at `value`."""
    return f"ALTER TABLE {identifier(connection, table)} AUTO_INCREMENT = {int(value)};"
