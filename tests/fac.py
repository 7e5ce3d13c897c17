"""The test suite's own way into FAC: building the FAC test database and writing rows.

opsync itself only ever reads FAC through the read-only `facturation` alias. The
tests play the billing application: they write FAC through a separate connection
(root on MariaDB, a writable handle on the SQLite file), never through that alias.
"""

import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import MySQLdb
from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.mysql.base import DatabaseWrapper as MySQLWrapper

from syncapp.config.mapping import BUILT_IN_NAMES
from syncapp.demo.builder import connection_open, fac_tables_create, schema_statements
from syncapp.sql import rows
from tests import backend, statements

ROOT = Path(__file__).resolve().parent.parent
READER_SCRIPT = ROOT / "sql" / "create_ops_reader.sql"


def _root_connection():
    return MySQLdb.connect(charset="utf8mb4", **backend.MYSQL)


def mysql_cli(sql: str) -> None:
    """Run SQL through the `mysql` client, as an administrator would (SOURCE needs its `;`)."""
    mysql = backend.MYSQL
    env = {**os.environ, "MYSQL_PWD": mysql["password"]}
    command = ["mysql", "-h", mysql["host"], "-P", str(mysql["port"]), "-u", mysql["user"], "-e", sql]
    subprocess.run(command, env=env, check=True, capture_output=True, cwd=ROOT)


def create_mariadb_fac() -> None:
    """The FAC test database from the DDL file, and the reader user from the production script."""
    connection = _root_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{backend.FAC_TEST_DATABASE}`")
        cursor.execute(
            f"CREATE DATABASE `{backend.FAC_TEST_DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
        cursor.execute(f"USE `{backend.FAC_TEST_DATABASE}`")
        for statement in schema_statements().values():
            cursor.execute(statement)
    connection.close()
    mysql_cli(
        f"SET @fac_db='{backend.FAC_TEST_DATABASE}', @reader='{backend.READER_USER}', "
        f"@password='{backend.READER_PASSWORD}'; SOURCE {READER_SCRIPT};"
    )


def drop_mariadb_fac() -> None:
    connection = _root_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{backend.FAC_TEST_DATABASE}`")
        cursor.execute(f"DROP USER IF EXISTS '{backend.READER_USER}'@'%'")
    connection.close()


def sqlite_settings(name: str) -> dict:
    """Settings for a connection of our own to an SQLite file."""
    return connection_open(name).settings_dict


def mysql_writer_settings() -> dict:
    """Settings for a FAC writer on MariaDB: like `facturation`, but as root and allowed to write."""
    # sql_mode '' lets the tests store what legacy FAC rows hold (zero dates).
    options = {"charset": "utf8mb4", "init_command": "SET time_zone = '+00:00'; SET sql_mode = ''"}
    return sqlite_settings("") | {
        "ENGINE": "django.db.backends.mysql",
        "NAME": backend.FAC_TEST_DATABASE,
        "HOST": backend.MYSQL["host"],
        "PORT": backend.MYSQL["port"],
        "USER": backend.MYSQL["user"],
        "PASSWORD": backend.MYSQL["password"],
        "OPTIONS": options,
    }


class FacWriter:
    """Writes FAC rows the way the billing application would."""

    def __init__(self):
        if backend.BACKEND == "mariadb":
            self.connection: BaseDatabaseWrapper = MySQLWrapper(mysql_writer_settings(), alias="fac_writer")
        else:
            self.connection = connection_open(settings.FAC_SQLITE_PATH)

    def close(self):
        self.connection.close()

    def execute(self, sql: str, params=()) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.lastrowid

    def fetchall(self, sql: str, params=()) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def select(self, table: str, columns: Sequence[str], where: str = "", params=()) -> list[tuple]:
        return self.fetchall(statements.select_statement(self.connection, table, columns, where), params)

    def insert(self, table: str, row: dict) -> int:
        return self.execute(rows.insert_statement(self.connection, table, list(row)), list(row.values()))

    def update(self, table: str, row_id: int, **values) -> None:
        self.execute(rows.update_statement(self.connection, table, list(values)), [*values.values(), row_id])

    def hard_delete(self, table: str, row_id: int) -> None:
        self.execute(statements.delete_statement(self.connection, table, "id = %s"), [row_id])

    def truncate_all(self) -> None:
        """The five built-in tables emptied (a declared table is the test's own: tests/declared.py)."""
        for name in BUILT_IN_NAMES:
            self.execute(statements.delete_statement(self.connection, name))

    def create_sqlite_schema(self) -> None:
        fac_tables_create(self.connection)


# A server-wide lock that every suite sharing the server takes to change, or to count on, a global
# setting: one suite never sees local_infile change under its own LOAD DATA.
SERVER_GLOBALS_LOCK = "opsync-tests-server-globals"


@contextmanager
def server_local_infile(on: bool) -> Iterator[None]:
    """The MariaDB server's local_infile, as its administrator would set it, put back after; under
    SERVER_GLOBALS_LOCK, held until then."""
    root = FacWriter()
    assert root.fetchall("SELECT GET_LOCK(%s, 600)", [SERVER_GLOBALS_LOCK])[0][0] == 1
    before = root.fetchall("SELECT @@GLOBAL.local_infile")[0][0]
    root.execute(f"SET GLOBAL local_infile = {int(on)}")
    try:
        yield
    finally:
        root.execute(f"SET GLOBAL local_infile = {int(before)}")
        root.fetchall("SELECT RELEASE_LOCK(%s)", [SERVER_GLOBALS_LOCK])
        root.close()
