"""Looking at the sync costs FAC nothing: --status, the dashboard and /healthz read OPS's records.

A monitor probing --status every minute read FAC five times as much as the cron sync it watched
(every FAC table scanned by COUNT(*) and MAX(updated_at) on each look). Now each run records what it
learnt of FAC in passing (its rows, its newest updated_at, whether it indexes the cursor, when), and
the read side reports from that record and its age. Measured as the brief says: MariaDB's per-user
statistics for the FAC reader alone (`SET GLOBAL userstat = 1`), so that nothing else on the server
counts.
"""

import re
from io import StringIO

import MySQLdb
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connections
from django.test import Client

from syncapp.config.mapping import table_names
from syncapp.models import SyncState
from syncapp.sql import server
from tests import backend
from tests.factories import ArmateurFactory, ClientFactory, RepresentantFactory, ServiceFactory, TransitaireFactory
from tests.mirror import sync

pytestmark = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)


def reader_statistics() -> tuple[int, int, int]:
    """(rows read, SELECT statements, every statement) of the FAC reader so far, by the server's own count."""
    session = MySQLdb.connect(**backend.MYSQL)
    try:
        with session.cursor() as cursor:
            cursor.execute("SET GLOBAL userstat = 1")
            cursor.execute(
                "SELECT ROWS_READ, SELECT_COMMANDS, SELECT_COMMANDS + UPDATE_COMMANDS + OTHER_COMMANDS "
                "FROM information_schema.USER_STATISTICS WHERE USER = %s",
                [backend.READER_USER],
            )
            found = cursor.fetchone()
    finally:
        session.close()
    return (int(found[0]), int(found[1]), int(found[2])) if found else (0, 0, 0)


def cost(look) -> tuple[int, int, int]:
    """What one look costs the FAC reader, on a connection of its own, as in a process of its own:
    rows read, SELECTs, and every statement (the connection's set-up counted)."""
    previous = connections["facturation"]
    previous.close()
    # A new wrapper, which has learnt nothing of the server yet (its version, say): as cron's is.
    connections["facturation"] = type(previous)(previous.settings_dict, alias="facturation")
    before = reader_statistics()
    look()
    after = reader_statistics()
    return after[0] - before[0], after[1] - before[1], after[2] - before[2]


@pytest.mark.mariadb
def test_status_the_dashboard_and_the_health_check_read_no_fac_row(fac):
    ClientFactory.create_batch(40)
    assert sync()[0] == 0
    reader_statistics()  # statistics on from here
    staff = Client()
    staff.force_login(User.objects.create_superuser("regard", password="unused-4b1e"))

    status = cost(lambda: sync("--status"))[:2]
    dashboard = cost(lambda: staff.get("/admin/syncapp/dashboard/"))[:2]
    health = cost(lambda: Client().get("/healthz/sync?fac=1"))[:2]
    run = cost(lambda: sync())[:2]

    assert status[0] == dashboard[0] == health[0] == 0  # no FAC row read
    assert status[1] <= 1 and dashboard[1] <= 1  # FAC asked whether it answers: the connection's own look
    assert health[1] <= 2  # and a SELECT 1
    assert run[0] >= 40  # the run itself reads FAC: the measure sees reads where there are some


def test_a_run_records_what_it_learnt_of_fac_and_status_reports_it_with_its_age(fac):
    ClientFactory.create_batch(3, updated_at="2026-11-30 08:00:00")
    ClientFactory(updated_at="2026-12-01 09:30:00")
    assert sync("--force")[0] == 0
    state = SyncState.objects.get(table="clients")
    assert state.fac_rows == 4 and state.fac_newest.isoformat().startswith("2026-12-01T09:30:00")
    assert state.fac_cursor == "updated_at" and state.fac_cursor_indexed is False and state.fac_seen_at

    ClientFactory.create_batch(2, updated_at="2026-12-01 09:45:00")  # FAC moves on: not seen until a run
    _, output = sync("--status")
    lines = output.splitlines()
    header = next(line for line in lines if line.startswith("table "))
    row = next(line for line in lines if line.startswith("clients "))
    cells = dict(zip(re.split(r"\s{2,}", header.strip()), re.split(r"\s{2,}", row.strip()), strict=True))
    assert cells["FAC rows"] == "4" and cells["FAC seen"].endswith("s"), output  # as the run saw FAC, and when

    assert sync()[0] == 0  # an incremental run learns them in passing, from its aggregate pass
    state.refresh_from_db()
    assert state.fac_rows == 6 and state.fac_newest.isoformat().startswith("2026-12-01T09:45:00")


@pytest.mark.mariadb
def test_an_idle_run_asks_fac_two_statements_a_table_and_three_more(fac):
    for made in (ClientFactory, TransitaireFactory, ArmateurFactory, RepresentantFactory, ServiceFactory):
        made.create_batch(3)  # every table with rows in its look-back window: two statements each
    assert sync()[0] == 0
    reader_statistics()

    _, selects, statements = cost(lambda: sync())

    # Per table its aggregate pass and its look-back window; then FAC's schema and clock in one
    # query, and the connection's set-up in two (syncapp/sql/reader): nothing else. Django's own
    # backend sent three more: mysqlclient's SET NAMES, SELECT VERSION() and its SQL_AUTO_IS_NULL.
    assert selects == 2 * len(table_names()) + 1, selects
    assert statements == 2 * len(table_names()) + 3, statements


@pytest.mark.mariadb
def test_the_look_back_reads_where_its_rows_lie_not_the_ranges_that_hold_them(fac):
    """Rows changed within the look-back window are read again by every run (a late commit hides
    among them): read from the lowest changed id to the highest of each range, in one statement, not
    a thousand ids around each. The aggregate pass reads every row once, as it must."""
    fac.execute(
        "INSERT INTO clients (id, nom, pays, type, solde, limite_credit, created_at, updated_at) "
        "SELECT seq, CONCAT('Client ', seq), 'Gabon', 'Entreprise', 0, 0, %s, %s FROM seq_1_to_3000",
        ["2026-11-01 08:00:00", "2026-11-01 08:00:00"],
    )
    fac.execute("UPDATE clients SET updated_at = '2026-11-01 09:00:00' WHERE id IN (10, 1500, 2990)")
    assert sync("--table", "clients")[0] == 0  # the cursor: 09:00, the window from 08:50 on
    reader_statistics()

    rows_read, selects, _ = cost(lambda: sync("--table", "clients"))

    assert 3000 <= rows_read < 3000 + 100, rows_read  # 3 ranges of 1 000 ids would be 6 000
    assert selects <= 2 + 3
    assert SyncState.objects.get(table="clients").fac_rows == 3000


@pytest.mark.mariadb
def test_fac_schema_and_clock_in_one_query_say_what_the_separate_questions_say(fac):
    fac.execute("DROP TABLE IF EXISTS pair_x")
    fac.execute("CREATE TABLE pair_x (a INTEGER NOT NULL, b INTEGER NOT NULL, c INTEGER, d INTEGER, "
                "PRIMARY KEY (b, a), KEY (d, c))")  # fmt: skip
    connection = connections["facturation"]
    names = [*table_names(), "pair_x", "no_such_table"]
    try:
        columns, keys, clock = server.schema_of(connection, names)
        assert columns == server.columns_of(connection, names) and "no_such_table" not in columns
        assert keys == {name: server.keys(connection, name) for name in columns}
        assert keys["pair_x"] == (["b", "a"], {"b", "d"})  # the key in its order; what begins an index
        assert keys["clients"][0] == ["id"] and "id" in keys["clients"][1]
        assert abs((server.utc_now(connection) - clock.now).total_seconds()) < 5 and clock.oldest_open is None
        assert server.schema_of(connection, ["no_such_table"])[:2] == ({}, {})  # the clock alone
    finally:
        fac.execute("DROP TABLE IF EXISTS pair_x")


@pytest.mark.mariadb
def test_check_and_migrate_read_fac_schema_once_for_every_table(fac):
    """--check and migrate resolve every declaration at their start, as a run does: one query of FAC's
    schema whatever the number of tables, beside Django's look at the server's version (the size of a
    table comes from the last run's record)."""
    assert sync()[0] == 0
    reader_statistics()
    _, check, _ = cost(lambda: sync("--check"))
    _, migrate, _ = cost(lambda: call_command("migrate", verbosity=0, stdout=StringIO()))

    assert check <= 2 and migrate <= 2, (check, migrate)
