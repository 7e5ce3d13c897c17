"""What the servers are asked about themselves: the clock, a table's columns, the named lock."""

from datetime import datetime

from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.sql.execute import as_datetime, execute, fetch_all
from syncapp.sql.names import identifier

# MySQL's data types, by family (column_info's data_type).
INTEGER_TYPES = {"tinyint", "smallint", "mediumint", "int", "integer", "bigint"}
TEXT_TYPES = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json"}
BINARY_TYPES = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}


def utc_now(connection: BaseDatabaseWrapper) -> datetime:
    """The database server's clock, in UTC (naive), as FAC's own data is read."""
    query = "SELECT UTC_TIMESTAMP()" if connection.vendor == "mysql" else "SELECT CURRENT_TIMESTAMP"
    return as_datetime(fetch_all(connection, query)[0][0])


def table_columns(connection: BaseDatabaseWrapper, table: str) -> list[str] | None:
    """The live columns of a table, or None when it does not exist."""
    if connection.vendor == "mysql":  # one query, where Django's introspection makes five
        query = "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = %s"
        return [name for (name,) in fetch_all(connection, query, [table])] or None
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return None
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


def is_view(connection: BaseDatabaseWrapper, table: str) -> bool:
    """Whether the name is a view (writing through it would change its base table), not a table."""
    if connection.vendor == "mysql":
        query = "SELECT table_type FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = %s"
        return [kind for (kind,) in fetch_all(connection, query, [table])] == ["VIEW"]
    return [kind for (kind,) in fetch_all(connection, "SELECT type FROM sqlite_master WHERE name = %s", [table])] == [
        "view"
    ]


def lock_wait_timeout_set(connection: BaseDatabaseWrapper, seconds: int) -> None:
    """How long this MySQL session waits for a row lock before giving up (error 1205)."""
    execute(connection, "SET SESSION innodb_lock_wait_timeout = %s", [seconds])


def lock_get(connection: BaseDatabaseWrapper, name: str) -> bool:
    """Take a MySQL named lock if it is free, without waiting; the session's end releases it."""
    return fetch_all(connection, "SELECT GET_LOCK(%s, 0)", [name])[0][0] == 1


def lock_release(connection: BaseDatabaseWrapper, name: str) -> None:
    fetch_all(connection, "SELECT RELEASE_LOCK(%s)", [name])


def lock_is_used(connection: BaseDatabaseWrapper, name: str) -> bool:
    return fetch_all(connection, "SELECT IS_USED_LOCK(%s)", [name])[0][0] is not None


def column_info(connection: BaseDatabaseWrapper, table: str) -> dict[str, dict] | None:
    """A table's columns and what they hold, by name, or None when the table does not exist.

    MySQL tells everything (type, lengths, precision, charset, nullability, default, key);
    SQLite only the declared type, nullability, default and key.
    """
    if connection.vendor == "mysql":
        query = (
            "SELECT column_name, data_type, column_type, character_maximum_length, character_octet_length, "
            "numeric_precision, numeric_scale, is_nullable = 'YES', column_default, extra, character_set_name, "
            "column_key, datetime_precision, collation_name FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name = %s ORDER BY ordinal_position"
        )
        keys = (
            "data_type",
            "column_type",
            "chars",
            "octets",
            "precision",
            "scale",
            "nullable",
            "default",
            "extra",
            "charset",
            "key",
            "fraction",
            "collation",
        )
        found = {row[0]: dict(zip(keys, row[1:], strict=True)) for row in fetch_all(connection, query, [table])}
        return found or None
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return None
        described = connection.introspection.get_table_description(cursor, table)
    return {
        column.name: {
            "data_type": column.type_code.lower(),
            "nullable": bool(column.null_ok),
            "default": column.default,
            "key": "PRI" if column.pk else "",
            "extra": "",
        }
        for column in described
    }


def keys(connection: BaseDatabaseWrapper, table: str) -> tuple[list[str], set[str]]:
    """A table's primary key columns, in order (none: empty), and the columns that begin an index:
    where a range of their values is read without a scan. One query."""
    if connection.vendor == "mysql":
        query = (
            "SELECT index_name, seq_in_index, column_name FROM information_schema.statistics "
            "WHERE table_schema = DATABASE() AND table_name = %s ORDER BY index_name, seq_in_index"
        )
        found = fetch_all(connection, query, [table])
        return [c for index, _, c in found if index == "PRIMARY"], {c for _, seq, c in found if seq == 1}
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table).values()
    primary = next((found["columns"] for found in constraints if found["primary_key"]), [])
    return list(primary), {found["columns"][0] for found in constraints if found["index"] or found["primary_key"]}


def table_size(connection: BaseDatabaseWrapper, table: str) -> tuple[int, int]:
    """(rows, bytes) of a table as the server estimates them, without counting (MySQL; SQLite: counted)."""
    if connection.vendor == "mysql":
        query = (
            "SELECT table_rows, data_length + index_length FROM information_schema.tables "
            "WHERE table_schema = DATABASE() AND table_name = %s"
        )
        found = fetch_all(connection, query, [table])
        return (int(found[0][0] or 0), int(found[0][1] or 0)) if found else (0, 0)
    return fetch_all(connection, f"SELECT COUNT(*) FROM {identifier(connection, table)}")[0][0], 0
