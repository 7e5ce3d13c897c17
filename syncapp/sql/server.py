"""What the servers are asked about themselves: the clock, a table's columns, the named lock."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.sql.execute import as_datetime, execute, fetch_all, marks
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
    """A table's columns and what they hold, by name, or None when the table does not exist."""
    return columns_of(connection, [table]).get(table)


# What column_info says of each column, in the order information_schema.columns gives them.
COLUMN_KEYS = (
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


def columns_of(connection: BaseDatabaseWrapper, tables: Sequence[str]) -> dict[str, dict[str, dict]]:
    """Some tables' columns and what they hold, by table then column name; a table that does not exist
    is left out. One query on MySQL, however many tables: a run reads FAC's schema once.

    MySQL tells everything (type, lengths, precision, charset, nullability, default, key);
    SQLite only the declared type, nullability, default and key.
    """
    if not tables:
        return {}
    if connection.vendor == "mysql":
        query = (
            "SELECT table_name, column_name, data_type, column_type, character_maximum_length, "
            "character_octet_length, numeric_precision, numeric_scale, is_nullable = 'YES', column_default, extra, "
            "character_set_name, column_key, datetime_precision, collation_name FROM information_schema.columns "
            f"WHERE table_schema = DATABASE() AND table_name IN ({marks(len(tables))}) "
            "ORDER BY table_name, ordinal_position"
        )
        found: dict[str, dict[str, dict]] = {}
        for table, column, *described in fetch_all(connection, query, list(tables)):
            found.setdefault(table, {})[column] = dict(zip(COLUMN_KEYS, described, strict=True))
        return found
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        return {table: sqlite_columns(connection, cursor, table) for table in tables if table in existing}


@dataclass(frozen=True)
class Clock:
    """FAC's server when a run began: its time (naive UTC), and how long its oldest transaction
    that has written rows has been open (None: none is, or it was not asked)."""

    now: datetime
    oldest_open: timedelta | None = None


# The oldest transaction on the server that has written rows (another session's): its rows, stamped
# when it wrote them, become visible only when it commits. Needs the PROCESS grant (error 1227).
OLDEST_OPEN = (
    "(SELECT MAX(TIMESTAMPDIFF(SECOND, trx_started, NOW())) FROM information_schema.innodb_trx "
    "WHERE trx_rows_modified > 0 AND trx_mysql_thread_id <> CONNECTION_ID())"
)
NO_PROCESS_GRANT = 1227


def schema_of(
    connection: BaseDatabaseWrapper, tables: Sequence[str], *, open_transactions: bool = False
) -> tuple[dict[str, dict[str, dict]], dict[str, tuple[list[str], set[str]]], Clock]:
    """columns_of() and keys_of() of some tables, and the server's clock (utc_now()): all that a run asks
    FAC before its tables, in one query on MySQL. The clock comes first so that a row holds it even
    when no table exists; each column says where it stands in the primary key and whether an index
    begins with it. With open_transactions, the clock says how old FAC's oldest writing transaction
    is; a reader without the PROCESS grant is then refused (NO_PROCESS_GRANT)."""
    if connection.vendor != "mysql" or not tables:
        return columns_of(connection, tables), keys_of(connection, tables), Clock(utc_now(connection))
    oldest_open = OLDEST_OPEN if open_transactions else "NULL"
    in_tables = f"table_name IN ({marks(len(tables))})"
    query = (
        f"SELECT UTC_TIMESTAMP(), {oldest_open}, c.table_name, c.column_name, c.data_type, c.column_type, "
        "c.character_maximum_length, c.character_octet_length, c.numeric_precision, c.numeric_scale, "
        "c.is_nullable = 'YES', c.column_default, c.extra, c.character_set_name, c.column_key, "
        "c.datetime_precision, c.collation_name, s.primary_seq, s.leads "
        "FROM (SELECT 1) AS clock "
        f"LEFT JOIN information_schema.columns AS c ON c.table_schema = DATABASE() AND c.{in_tables} "
        "LEFT JOIN (SELECT table_name, column_name, "
        "MAX(IF(index_name = 'PRIMARY', seq_in_index, NULL)) AS primary_seq, MIN(seq_in_index) = 1 AS leads "
        "FROM information_schema.statistics "
        f"WHERE table_schema = DATABASE() AND {in_tables} GROUP BY table_name, column_name) AS s "
        "ON s.table_name = c.table_name AND s.column_name = c.column_name "
        "ORDER BY c.table_name, c.ordinal_position"
    )
    rows = fetch_all(connection, query, [*tables, *tables])
    columns: dict[str, dict[str, dict]] = {}
    primary: dict[str, list[tuple[int, str]]] = {}
    indexed: dict[str, set[str]] = {}
    for _, _, table, column, *described, primary_seq, leads in rows:
        if table is None:  # no table: the clock's row alone
            continue
        columns.setdefault(table, {})[column] = dict(zip(COLUMN_KEYS, described, strict=True))
        primary.setdefault(table, [])
        indexed.setdefault(table, set())
        if primary_seq is not None:
            primary[table].append((int(primary_seq), column))
        if leads:
            indexed[table].add(column)
    keys = {table: ([column for _, column in sorted(primary[table])], indexed[table]) for table in columns}
    open_seconds = rows[0][1]
    open_for = timedelta(seconds=int(open_seconds)) if open_seconds is not None else None
    return columns, keys, Clock(as_datetime(rows[0][0]), open_for)


def sqlite_columns(connection: BaseDatabaseWrapper, cursor, table: str) -> dict[str, dict]:
    return {
        column.name: {
            "data_type": column.type_code.lower(),
            "nullable": bool(column.null_ok),
            "default": column.default,
            "key": "PRI" if column.pk else "",
            "extra": "",
        }
        for column in connection.introspection.get_table_description(cursor, table)
    }


def keys(connection: BaseDatabaseWrapper, table: str) -> tuple[list[str], set[str]]:
    """A table's primary key columns, in order (none: empty), and the columns that begin an index:
    where a range of their values is read without a scan."""
    return keys_of(connection, [table]).get(table, ([], set()))


def keys_of(connection: BaseDatabaseWrapper, tables: Sequence[str]) -> dict[str, tuple[list[str], set[str]]]:
    """keys() of some tables, by table: one query on MySQL, however many tables."""
    if not tables:
        return {}
    if connection.vendor == "mysql":
        query = (
            "SELECT table_name, index_name, seq_in_index, column_name FROM information_schema.statistics "
            f"WHERE table_schema = DATABASE() AND table_name IN ({marks(len(tables))}) "
            "ORDER BY table_name, index_name, seq_in_index"
        )
        found: dict[str, tuple[list[str], set[str]]] = {}
        for table, index, seq, column in fetch_all(connection, query, list(tables)):
            primary, indexed = found.setdefault(table, ([], set()))
            if index == "PRIMARY":
                primary.append(column)
            if seq == 1:
                indexed.add(column)
        return found
    found = {}
    with connection.cursor() as cursor:
        for table in tables:
            constraints = connection.introspection.get_constraints(cursor, table).values()
            primary = next((c["columns"] for c in constraints if c["primary_key"]), [])
            found[table] = (list(primary), {c["columns"][0] for c in constraints if c["index"] or c["primary_key"]})
    return found


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
