"""The statements that create a declared table's mirror in OPS and bring it in line with FAC again.

Only for mirrors opsync creates (syncapp/engine/mirror_tables.py): never for an adopted table, which
belongs to the operations application.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.sql.execute import execute
from syncapp.sql.names import name_sql, quoter
from syncapp.sql.server import TEXT_TYPES

# When opsync last wrote the row, and the mirror's own deletion mark: as Django's DateTimeField has them.
OWN_DATETIME = {"mysql": "datetime(6)", "sqlite": "datetime"}


def column_type(connection: BaseDatabaseWrapper, info: dict) -> str:
    """An OPS column type that holds every value of a FAC column (server.column_info's description).

    MySQL: FAC's own type, in FAC's character set and collation, so that 4-byte text, ENUM and SET
    values, exact DECIMALs and FLOATs bit for bit are held as FAC holds them; a TIMESTAMP becomes
    a DATETIME of the same precision, so that OPS's session time zone never shifts it. SQLite:
    the declared type.
    """
    if connection.vendor != "mysql":
        return "datetime" if info["data_type"].startswith("timestamp") else info["data_type"]
    if info["data_type"] == "timestamp":
        return f"datetime({info['fraction']})" if info.get("fraction") else "datetime"
    declared = info["column_type"]
    if info["data_type"] in TEXT_TYPES and info.get("charset"):  # JSON on MySQL 8 has none
        declared += f" CHARACTER SET {info['charset']} COLLATE {info['collation']}"
    return declared


def table_create(
    connection: BaseDatabaseWrapper, table: str, columns: list[tuple[str, str]], *, deleted_at: str
) -> None:
    """CREATE TABLE: `id` (first of `columns`) the primary key without auto-increment, the others NULL-able."""
    quote = quoter(connection)
    (id_name, id_type), others = columns[0], columns[1:]
    lines = [f"{quote(id_name)} {id_type} NOT NULL PRIMARY KEY", *(f"{quote(c)} {t} NULL" for c, t in others)]
    options = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" if connection.vendor == "mysql" else ""
    execute(connection, f"CREATE TABLE {quote(table)} ({', '.join(lines)}){options}")
    # The index's name is also how migration 0009 told the mirrors opsync made before it kept a record.
    index = quote(f"{table[:40]}_{deleted_at[:20]}_idx")
    execute(connection, f"CREATE INDEX {index} ON {quote(table)} ({quote(deleted_at)})")


def column_add(connection: BaseDatabaseWrapper, table: str, column: str, declared: str) -> None:
    quote = quoter(connection)
    execute(connection, f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column)} {declared} NULL")


def column_modify(connection: BaseDatabaseWrapper, table: str, column: str, declared: str) -> None:
    """MySQL: a column given FAC's new type (SQLite's columns take any value: nothing to do)."""
    if connection.vendor == "mysql":
        quote = quoter(connection)
        execute(connection, f"ALTER TABLE {quote(table)} MODIFY COLUMN {quote(column)} {declared} NULL")


def index_statement(vendor: str, table: str, column: str) -> str:
    """The CREATE INDEX to hand to FAC's administrator, so that runs read a range of `column`, not the table."""
    index, quoted_table, quoted_column = (name_sql(vendor, name) for name in (f"{table}_{column}_index", table, column))
    return f"CREATE INDEX {index} ON {quoted_table} ({quoted_column});"
