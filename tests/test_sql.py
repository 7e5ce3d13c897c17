"""syncapp/sql/: the statements' text, built without a server (fast); names quoted, values as parameters.

What the statements do on a real server is what the rest of the suite runs.
"""

import dataclasses
import gc
import sys
from datetime import datetime

import pytest
from django.db import connections
from django.db.backends.mysql.base import DatabaseWrapper as MySQLWrapper

from syncapp.demo.builder import connection_open
from syncapp.sql import execute, load, rows, sums
from syncapp.sql.side import Side
from tests.kinds import model_kinds
from tests.kinds import offline as offline_mapping
from tests.sessions import query, root_session

SQLITE = connection_open(":memory:")  # never opened: only its quoting and vendor are used
MYSQL = MySQLWrapper(SQLITE.settings_dict | {"ENGINE": "django.db.backends.mysql"}, alias="offline")
connections["offline"] = MYSQL  # what a Side on the alias "offline" builds its SQL with


def offline(side: Side) -> Side:
    return dataclasses.replace(side, alias="offline")


def test_a_datetime_reads_what_sqlite_returns_for_an_aggregate():
    assert execute.as_datetime("2026-01-02 03:04:05") == datetime(2026, 1, 2, 3, 4, 5)
    assert execute.as_datetime(datetime(2026, 1, 2)) == datetime(2026, 1, 2)
    assert execute.as_datetime(None) is None


def test_marks_and_quoted_names():
    assert execute.marks(3) == "%s, %s, %s"
    assert execute.quoted(MYSQL, ["id", "type"]) == "`id`, `type`"
    assert execute.quoted(SQLITE, ["id", "type"]) == '"id", "type"'


def test_upsert_updates_every_column_but_the_id():
    assert rows.upsert_statement(MYSQL, "clients", ["id", "nom", "synced_at"]) == (
        "INSERT INTO `clients` (`id`, `nom`, `synced_at`) VALUES (%s, %s, %s) "
        "ON DUPLICATE KEY UPDATE `nom` = VALUES(`nom`), `synced_at` = VALUES(`synced_at`)"
    )
    assert rows.upsert_statement(SQLITE, "clients", ["id", "nom"]) == (
        'INSERT INTO "clients" ("id", "nom") VALUES (%s, %s) ON CONFLICT (id) DO UPDATE SET "nom" = excluded."nom"'
    )


def test_insert_statement():
    assert (
        rows.insert_statement(MYSQL, "services", ["code", "nom"])
        == "INSERT INTO `services` (`code`, `nom`) VALUES (%s, %s)"
    )


def test_the_set_aside_filter_takes_the_table_name_as_a_parameter():
    compared = dataclasses.replace(offline_mapping("clients").ops_compared, alias="offline")
    condition, params = rows.side_filter(
        dataclasses.replace(compared, left_out=dataclasses.replace(compared.left_out, table="o'clients"))
    )
    assert condition == (
        "id NOT IN (SELECT row_id FROM `syncapp_vanishedrow` WHERE `table` = %s) "
        "AND id NOT IN (SELECT row_id FROM `syncapp_opsonlyrow` WHERE `table` = %s)"
    )
    assert params == ["o'clients", "o'clients"]
    assert rows.side_filter(offline(offline_mapping("clients").ops)) == ("1 = 1", [])


def test_the_row_hash_in_sql_follows_the_canonical_text():
    mapping = offline_mapping("representants")
    expression = sums.canonical_expression(offline(mapping.ops_compared), model_kinds(mapping))
    # Each value after its length and a colon, NULL as `-` (syncapp.sql.canonical.item).
    first_item = "IF(`id` IS NULL, '-', CONCAT(CHAR_LENGTH(`id`), ':', `id`))"
    assert expression.startswith(f"CAST(CONV(LEFT(MD5(CONCAT({first_item}, ")
    # Datetimes to the second, a zero date as NULL, `%` doubled for a query with parameters.
    assert "NULLIF(DATE_FORMAT(`updated_at`, '%%Y-%%m-%%d %%H:%%i:%%s'), '0000-00-00 00:00:00')" in expression
    # Decimals at FAC's scale, whatever the OPS column's: 12.5 reads 12.50 in a DECIMAL(15,3) too.
    assert "CAST(CAST(`taux_commission` AS DECIMAL(65, 2)) AS CHAR)" in expression
    assert "CAST(`actif` AS CHAR)" in expression
    assert expression.count("IS NULL, '-'") == len(mapping.columns)  # a NULL marker per column


def test_a_zero_date_in_facs_deleted_at_reads_as_deleted_on_every_path():
    """FAC and Laravel hold such a row deleted: the reads, the checksums and the LOAD DATA lines agree."""
    mapping = offline_mapping("clients")
    zero = "IF(CAST(`deleted_at` AS CHAR) = '0000-00-00 00:00:00', TIMESTAMP('1970-01-01 00:00:01'), `deleted_at`)"
    assert zero in rows.select_columns(offline(mapping.fac_read))
    assert zero in sums.canonical_expression(offline(mapping.fac), model_kinds(mapping))
    assert zero in load.line_expression(offline(mapping.fac), model_kinds(mapping))
    # OPS holds what the sync wrote: its deleted_at is read as it is.
    assert zero not in sums.canonical_expression(offline(mapping.ops_compared), model_kinds(mapping))
    assert "`created_at`, `updated_at`" in rows.select_columns(offline(mapping.fac_read))


def test_a_load_data_line_escapes_text_and_marks_nulls():
    mapping = offline_mapping("armateurs")
    line = load.line_expression(offline(mapping.ops_compared), model_kinds(mapping))
    assert line.startswith("CONCAT_WS(CHAR(9 USING utf8mb4), IFNULL(`id`, CONCAT(CHAR(92 USING utf8mb4), 'N'))")
    # Text columns: backslash first, then tab, line feed, carriage return and NUL escaped.
    nom = line[line.index("IFNULL(REPLACE(") :].split(", IFNULL(")[0]
    assert nom.count("REPLACE(") == 5 and "`nom`" in nom
    assert "`actif`" in line and "REPLACE(`actif`" not in line  # numbers: nothing to escape


def test_python_id_sums_match_the_sql_definition():
    jan = {day: datetime(2026, 1, day) for day in (1, 2, 5)}  # as SQLite gives its datetime columns
    batches = [[(1, None, None), (2, jan[2], None), (7, jan[5], None)], [(1001, jan[1], jan[5])]]
    found = sums.python_id_sums(batches, chunk=1000, since=jan[2], live=False)
    assert found.sums == {0: (3, 10, 54, 4), 1: (1, 1001, 1001**2, 1001)}
    assert found.changed == {0: (2, 7)}  # the lowest and highest id changed since jan 2, per range
    assert found.newest == datetime(2026, 1, 5)  # what the run learns of FAC in passing, for --status
    live = sums.python_id_sums(batches, chunk=1000, since=None, live=True)
    assert live.counts == {0: 3, 1: 0} and live.newest is None and not live.changed


@pytest.mark.parametrize("connection", [MYSQL, SQLITE], ids=["mysql", "sqlite"])
def test_names_reach_sql_only_quoted(connection):
    mapping = offline_mapping("clients")
    statement = rows.upsert_statement(connection, mapping.ops_table, mapping.columns)
    for column in mapping.columns:
        assert connection.ops.quote_name(column) in statement


def test_writes_to_an_adopted_table_name_only_the_mapped_columns():
    side = Side("offline", "tiers", ("id", "nom", "registre_commerce"), synced_at=None)
    assert rows.written_columns(side) == ["id", "nom", "registre_commerce"]
    assert rows.update_statement(MYSQL, "tiers", ["nom", "registre_commerce"]) == (
        "UPDATE `tiers` SET `nom` = %s, `registre_commerce` = %s WHERE id = %s"
    )
    stamped = Side("offline", "tiers", ("id", "nom"), synced_at="derniere_synchro")
    assert rows.written_columns(stamped) == ["id", "nom", "derniere_synchro"]


@pytest.mark.mariadb
@pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
def test_a_stream_cut_by_the_server_ends_without_an_ignored_traceback():
    """The OPS server lost in the middle of a streamed read (here: its session killed): the
    stream's unbuffered cursor cannot be drained, and closing it raised inside the generator's
    clean-up, printed by Python as « Exception ignored in: <generator object stream …> » with a
    traceback, beside the run's one good line. The read's own error is the one that counts."""
    connection = connections["default"]
    batches = execute.stream(connection, "SELECT seq, REPEAT('x', 500) FROM seq_1_to_2000000", [], batch_size=1000)
    assert len(next(batches)) == 1000
    killer = root_session()
    try:
        query(killer, f"KILL CONNECTION {connection.connection.thread_id()}")
    finally:
        killer.close()
    ignored: list = []
    hook, sys.unraisablehook = sys.unraisablehook, ignored.append
    try:
        del batches
        gc.collect()
    finally:
        sys.unraisablehook = hook
        connection.close()
    assert ignored == [], [str(item.exc_value) for item in ignored]
