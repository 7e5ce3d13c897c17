"""Building a demo FAC database, so that opsync can be tried, or its production rehearsed, without
the billing application.

opsync never writes to FAC, and this keeps that rule: it does not use the read-only
`facturation` alias (nor its read-only models) but opens a writable connection of its own: to
a new SQLite file, built under a temporary name and moved into place only once complete; or
to a MySQL database, as a user that may write there (never the SELECT-only reader), in one
transaction.
"""

import os
from pathlib import Path
from typing import Any

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.mysql.base import DatabaseWrapper as MySQLWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.models import Model

from syncapp.common.aliases import FAC_ALIAS
from syncapp.config.databases import database_error_text
from syncapp.config.mapping import BUILT_IN
from syncapp.demo import data as demo
from syncapp.demo import declared as demo_declared
from syncapp.sql.execute import fetch_all
from syncapp.sql.names import identifier
from syncapp.sql.rows import insert_statement
from syncapp.sql.server import table_columns

FAC_MODELS: tuple[type[Model], ...] = tuple(source for _, source in BUILT_IN.values())
# FAC's tables as the billing application's migrations create them, in MySQL.
FAC_SCHEMA_SQL = Path(__file__).resolve().parents[2] / "sql" / "facturation_schema.sql"
SQLITE_ENGINE = "django.db.backends.sqlite3"
# Files SQLite keeps beside a database; a stale one would be replayed into the new file.
SIDECAR_SUFFIXES = ("-journal", "-wal", "-shm")


class DemoBuildError(Exception):
    """The demo database cannot be built where asked; the message says why, in one line."""


def fac_sqlite_path(entry: dict) -> Path:
    """The file behind a SQLite DATABASES entry, whose NAME may be a `file:...?mode=ro` URI."""
    if entry.get("ENGINE") != SQLITE_ENGINE:
        raise DemoBuildError(
            f"The '{FAC_ALIAS}' database is not SQLite (FAC_DB_CONNECTION); pass --path to build a demo file."
        )
    name = str(entry.get("NAME") or "")
    if name.startswith("file:"):
        name = name.removeprefix("file:").split("?", 1)[0]
    if not name or name == ":memory:":
        raise DemoBuildError(f"The '{FAC_ALIAS}' database has no file name; pass --path.")
    return Path(name)


def target_check(target: Path, overwrite: bool) -> None:
    """Refuse early, before any work, when the file would be clobbered or cannot be created."""
    if not target.parent.is_dir():
        raise DemoBuildError(f"Directory {target.parent} does not exist.")
    if target.exists() and not overwrite:
        raise DemoBuildError(f"{target} already exists; pass --overwrite to replace it.")


def file_build(target: Path, dataset: dict[str, list[demo.Row]], overwrite: bool) -> dict[str, tuple[int, int]]:
    """Write the dataset to a temporary file beside the target, then move it into place."""
    # SQLite creates the file itself, so it gets the usual permissions (mkstemp's would be 0600).
    temporary = target.with_name(f".{target.name}.{os.getpid()}.building")
    discard(temporary)
    try:
        counts = database_write(temporary, dataset)
        if overwrite:
            sidecars_remove(target)
        os.replace(temporary, target)
    finally:
        discard(temporary)
    return counts


def discard(database: Path) -> None:
    database.unlink(missing_ok=True)
    sidecars_remove(database)


def sidecars_remove(database: Path) -> None:
    for suffix in SIDECAR_SUFFIXES:
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def schema_statements() -> dict[str, str]:
    """FAC's CREATE TABLE statements, by table."""
    text = "\n".join(line for line in FAC_SCHEMA_SQL.read_text().splitlines() if not line.startswith("--"))
    statements = [statement.strip() for statement in text.split(";") if statement.strip()]
    return {statement.split()[2]: statement for statement in statements}


def mysql_connection_open(fac: dict, *, user: str, password: str) -> BaseDatabaseWrapper:
    """A private, writable connection to FAC's MySQL database, as a user that may write there."""
    settings_dict = connection_open("").settings_dict | {
        "ENGINE": "django.db.backends.mysql",
        "NAME": fac["NAME"],
        "HOST": fac["HOST"],
        "PORT": fac["PORT"],
        "USER": user,
        "PASSWORD": password,
        "OPTIONS": {"charset": "utf8mb4", "init_command": "SET time_zone = '+00:00'"},
    }
    return MySQLWrapper(settings_dict, alias="build_demo_facturation")


def mysql_fill(connection: BaseDatabaseWrapper, dataset: dict[str, list[demo.Row]], overwrite: bool) -> dict:
    """FAC's tables in a MySQL database (created where missing, as the billing application has
    them), filled with the dataset in one transaction; returns (rows, soft-deleted rows) per table."""
    try:
        existing = {model: table_columns(connection, model._meta.db_table) for model in FAC_MODELS}
        filled = [m._meta.db_table for m, columns in existing.items() if columns and rows_count(connection, m)[0]]
        if filled and not overwrite:
            raise DemoBuildError(
                f"FAC database {connection.settings_dict['NAME']} already has rows in {', '.join(filled)}; "
                "pass --overwrite to replace them"
            )
        statements = schema_statements()
        with connection.cursor() as cursor:
            for model, columns in existing.items():
                if columns is None:
                    cursor.execute(statements[model._meta.db_table])
        connection.set_autocommit(False)
        for model in FAC_MODELS:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {identifier(connection, model._meta.db_table)}")
            rows_insert(connection, model, dataset[model._meta.db_table])
        demo_declared.table_create_and_fill(connection, dataset[demo_declared.TABLE])  # DDL commits: it comes last
        connection.commit()
        return counts(connection)
    except DatabaseError as exc:
        raise DemoBuildError(f"FAC database: {database_error_text(exc)}") from None
    finally:
        connection.close()


def connection_open(path: Path | str) -> BaseDatabaseWrapper:
    """A private, writable SQLite connection: not registered in `django.db.connections`.

    Every key a Django connection reads is given, rather than copied from another alias,
    whose OPTIONS (MySQL ones, say) would make no sense to SQLite.
    """
    settings_dict: dict[str, Any] = {
        "ENGINE": SQLITE_ENGINE,
        "NAME": str(path),
        "OPTIONS": {},
        "TIME_ZONE": None,  # stored datetimes are naive UTC, as for any Django SQLite database with USE_TZ
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return DatabaseWrapper(settings_dict, alias="build_demo_facturation")


def database_write(path: Path, dataset: dict[str, list[demo.Row]]) -> dict[str, tuple[int, int]]:
    """Create the FAC tables (the five, and the demo's declared one) and fill them; returns (rows,
    soft-deleted rows) per table."""
    connection = connection_open(path)
    try:
        fac_tables_create(connection)
        connection.set_autocommit(False)
        for model in FAC_MODELS:
            rows_insert(connection, model, dataset[model._meta.db_table])
        demo_declared.table_create_and_fill(connection, dataset[demo_declared.TABLE])
        connection.commit()
        return counts(connection)
    finally:
        connection.close()


def fac_tables_create(connection: BaseDatabaseWrapper) -> None:
    """FAC's five tables, from the FAC models, on a private connection."""
    # atomic=False: an atomic schema editor would look its alias up in `connections`.
    with connection.schema_editor(atomic=False) as editor:
        for model in FAC_MODELS:
            editor.create_model(model)


def rows_insert(connection: BaseDatabaseWrapper, model: type[Model], rows: list[demo.Row]) -> None:
    """Plain parametrized INSERTs (FAC models refuse writes), values prepared as Django stores them."""
    fields = model._meta.concrete_fields
    columns_check(model, rows)
    statement = insert_statement(connection, model._meta.db_table, [field.column for field in fields])
    params = [[field.get_db_prep_save(row[field.attname], connection) for field in fields] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(statement, params)


def columns_check(model: type[Model], rows: list[demo.Row]) -> None:
    """A misspelt key in the demo data would otherwise be silently dropped or surface as a KeyError."""
    expected = {field.attname for field in model._meta.concrete_fields}
    for row in rows:
        if set(row) != expected:
            raise ValueError(
                f"demo row for {model._meta.db_table} has unexpected columns {sorted(set(row) - expected)} "
                f"and lacks {sorted(expected - set(row))}"
            )


def rows_count(connection: BaseDatabaseWrapper, model: type[Model]) -> tuple[int, int]:
    return rows_and_deleted_count(connection, model._meta.db_table)


def counts(connection: BaseDatabaseWrapper) -> dict[str, tuple[int, int]]:
    """(rows, soft-deleted rows) of each demo table: the five, then the declared one."""
    found = {model._meta.db_table: rows_count(connection, model) for model in FAC_MODELS}
    return found | {demo_declared.TABLE: rows_and_deleted_count(connection, demo_declared.TABLE)}


def rows_and_deleted_count(connection: BaseDatabaseWrapper, table: str) -> tuple[int, int]:
    """(rows, soft-deleted rows) of a table."""
    query = f"SELECT COUNT(*), COUNT(deleted_at) FROM {identifier(connection, table)}"
    return tuple(fetch_all(connection, query)[0])
