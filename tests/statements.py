"""The tests' own SQL: reading and deleting rows as the billing application and its staff do."""

from collections.abc import Sequence

from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.sql.execute import quoted
from syncapp.sql.names import identifier


def select_statement(connection: BaseDatabaseWrapper, table: str, columns: Sequence[str], where: str = "") -> str:
    """SELECT some columns of a table, under an optional condition of the caller's (values as `%s`)."""
    statement = f"SELECT {quoted(connection, columns)} FROM {identifier(connection, table)}"
    return f"{statement} WHERE {where}" if where else statement


def delete_statement(connection: BaseDatabaseWrapper, table: str, where: str = "") -> str:
    """DELETE a table's rows (under an optional condition): the tests play FAC with it."""
    statement = f"DELETE FROM {identifier(connection, table)}"
    return f"{statement} WHERE {where}" if where else statement
