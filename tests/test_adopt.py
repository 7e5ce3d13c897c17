"""Taking over an existing OPS: the operations application's own tables, fed through a mapping file.

On MariaDB, with the fixture of tests/adopted.py in place of opsync's clients and armateurs
tables: migrate, the adoption preview, the first run, every kind of FAC change, the rows of
OPS's own and their collisions, --check, --verify and --force, and a bad mapping file.
"""

import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import MySQLdb
import pytest
from django.db import connections

from syncapp.models import Armateur, Client, OpsOnlyRow, SyncRun, SyncState, VanishedRow
from tests import backend
from tests.adopted import (
    ADOPTED,
    OPS_ONLY_COLUMNS,
    PAIRS,
    checksum,
    copy_from_fac,
    create_tables,
    ids,
    mismatches,
    query,
    root,
    show_create,
    write_mapping,
)
from tests.factories import ArmateurFactory, ClientFactory, fac_now
from tests.mirror import admin_pages, check_lines_of, subprocess_env, sync

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(databases=["default", "facturation"], transaction=True)]
OPS_ONLY_IDS = {"clients": [900_000_001, 900_000_002], "armateurs": [900_000_005]}


@dataclass
class ExistingOps:
    session: MySQLdb.Connection
    database: str
    fac: object  # the FAC writer
    clients: list[dict]
    armateurs: list[dict]
    had: dict[str, list[int]]  # the ids each table had before opsync came

    def mismatches(self, table: str) -> list[int]:
        return mismatches(self.session, self.database, table)

    def ops_owned(self, table: str) -> str:
        """What belongs to OPS in a table: its own columns in the rows it had, and its own rows whole."""
        had = ", ".join(str(i) for i in self.had[table])
        own_rows = ", ".join(str(i) for i in OPS_ONLY_IDS[table])
        everything = tuple(name for name, *_ in query(self.session, f"SHOW COLUMNS FROM `{table}`"))
        return checksum(self.session, table, OPS_ONLY_COLUMNS[table], f"id IN ({had})") + checksum(
            self.session, table, everything, f"id IN ({own_rows})"
        )


@pytest.fixture
def existing_ops(fac, transactional_db, settings, tmp_path):
    """OPS as the operations application has it, adopted by the mapping file; opsync's tables come back after.

    FAC: 8 clients and 5 armateurs. OPS: Laravel copies of 6 clients (2 of them stale) and of
    the 5 armateurs (1 stale), 2 clients and 1 armateur of OPS's own, and work orders that
    reference copied and OPS-only rows alike.
    """
    database = str(connections["default"].settings_dict["NAME"])
    session = root(database)
    for table in ADOPTED:
        query(session, f"DROP TABLE `{table}`")
    create_tables(session)
    settings.SYNC_MAPPING_FILE = str(write_mapping(tmp_path))
    clients = ClientFactory.create_batch(8, updated_at=fac_now() - timedelta(days=3))
    armateurs = ArmateurFactory.create_batch(5, updated_at=fac_now() - timedelta(days=3))
    copied = ", ".join(str(row["id"]) for row in clients[:6])
    copy_from_fac(session, "clients", f"id IN ({copied})")
    copy_from_fac(session, "armateurs")
    query(session, "UPDATE clients SET nom = 'Ancien nom', code = CONCAT('C', id), credit_bloque = 1 WHERE id = %s",
          [clients[0]["id"]])  # fmt: skip
    query(session, "UPDATE clients SET ninea = NULL, statut = 'suspendu' WHERE id = %s", [clients[1]["id"]])
    query(session, "UPDATE armateurs SET telephone = '+241 00', escale_habituelle = 'Port-Gentil' WHERE id = %s",
          [armateurs[0]["id"]])  # fmt: skip
    for row_id in OPS_ONLY_IDS["clients"]:
        query(session, "INSERT INTO clients (id, nom, code, commercial_id) VALUES (%s, 'Client comptoir', %s, 7)",
              [row_id, f"OPS{row_id}"])  # fmt: skip
    query(session, "INSERT INTO armateurs (id, nom) VALUES (%s, 'Armateur local')", OPS_ONLY_IDS["armateurs"])
    for client in (clients[0]["id"], clients[2]["id"], OPS_ONLY_IDS["clients"][0]):
        query(session, "INSERT INTO ordres_travail (client_id, armateur_id) VALUES (%s, %s)",
              [client, armateurs[0]["id"]])  # fmt: skip
    had = {table: ids(session, table) for table in ADOPTED}
    yield ExistingOps(session, database, fac, clients, armateurs, had)
    for table in ("ordres_travail", *ADOPTED):
        query(session, f"DROP TABLE `{table}`")
    session.close()
    with connections["default"].schema_editor() as editor:
        editor.create_model(Client)
        editor.create_model(Armateur)


def adopted_tables() -> tuple[str, ...]:
    return ("--table", ",".join(ADOPTED))


def test_migrate_creates_opsyncs_tables_and_leaves_the_adopted_ones_as_they_are(fac, tmp_path):
    """On an OPS database of its own, by `manage.py migrate` as an operator would run it."""
    database = f"test_{backend.PREFIX}_adopt"
    session = root()
    query(session, f"DROP DATABASE IF EXISTS `{database}`")
    query(session, f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    session.select_db(database)
    try:
        create_tables(session)
        before = {table: show_create(session, table) for table in (*ADOPTED, "ordres_travail")}
        env = subprocess_env(DB_DATABASE=database, SYNC_MAPPING_FILE=str(write_mapping(tmp_path)))
        ClientFactory.create_batch(3)

        for arguments in (["migrate", "--noinput"], ["sync_from_facturation"], ["sync_from_facturation", "--force"]):
            done = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True,
                                  text=True, check=False)  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr
            assert {table: show_create(session, table) for table in before} == before, arguments

        tables = {name for (name,) in query(session, "SHOW TABLES")}
        assert {"syncapp_syncrun", "syncapp_opsonlyrow", "transitaires", "services"} <= tables
        assert query(session, "SELECT COUNT(*) FROM clients")[0][0] == 3
    finally:
        query(session, f"DROP DATABASE IF EXISTS `{database}`")
        session.close()


def test_the_adoption_preview_counts_exactly_and_writes_nothing(existing_ops):
    before = {table: checksum(existing_ops.session, table, tuple(PAIRS[table].values())) for table in ADOPTED}
    owned = {table: existing_ops.ops_owned(table) for table in ADOPTED}

    status, output = sync("--dry-run", "-v", *adopted_tables())

    assert status == 0, output
    assert "clients: 4 identical, 2 would be updated, 2 would be inserted, 2 OPS-only (left alone), 0 collide" in output
    assert (
        "armateurs: 4 identical, 1 would be updated, 0 would be inserted, 1 OPS-only (left alone), 0 collide" in output
    )
    first, second = existing_ops.clients[0]["id"], existing_ops.clients[1]["id"]
    assert f"clients #{first}: updated, column nom" in output and f"clients #{second}: updated, column ninea" in output
    assert f"armateurs #{existing_ops.armateurs[0]['id']}: updated, column telephone" in output
    for row in existing_ops.clients[6:]:
        assert f"clients #{row['id']}: insert" in output
    assert {table: checksum(existing_ops.session, table, tuple(PAIRS[table].values())) for table in ADOPTED} == before
    assert {table: existing_ops.ops_owned(table) for table in ADOPTED} == owned
    assert not SyncState.objects.exists() and not OpsOnlyRow.objects.exists() and not VanishedRow.objects.exists()


def test_the_first_run_adopts_the_rows_and_leaves_what_is_ops_alone(existing_ops):
    owned = {table: existing_ops.ops_owned(table) for table in ADOPTED}
    work_orders = query(existing_ops.session, "SELECT * FROM ordres_travail ORDER BY id")

    status, output = sync()

    assert status == 0, output
    assert existing_ops.mismatches("clients") == [] and existing_ops.mismatches("armateurs") == []
    assert {table: existing_ops.ops_owned(table) for table in ADOPTED} == owned
    assert query(existing_ops.session, "SELECT * FROM ordres_travail ORDER BY id") == work_orders
    # Identical rows were not written: only the changed and the new rows carry a synced_at.
    stamped = {
        row_id for (row_id,) in query(existing_ops.session, "SELECT id FROM clients WHERE synced_at IS NOT NULL")
    }
    clients = existing_ops.clients
    assert stamped == {clients[0]["id"], clients[1]["id"], clients[6]["id"], clients[7]["id"]}
    assert sorted(OpsOnlyRow.objects.values_list("table", "row_id")) == sorted(
        [("armateurs", OPS_ONLY_IDS["armateurs"][0]), *(("clients", i) for i in OPS_ONLY_IDS["clients"])]
    )
    result = SyncRun.objects.latest("started_at").results.get(table="clients")
    assert (result.unchanged, result.updated, result.inserted, result.deleted, result.ops_only) == (4, 2, 2, 0, 2)

    status, output = sync("--status")
    assert "clients feeds the adopted OPS table clients: 2 OPS-only rows, left alone" in output
    status, output = sync("--verify", "-v", "2")
    assert status == 0, output
    assert f"clients #{OPS_ONLY_IDS['clients'][0]}: OPS-only" in output
    assert "clients        8 rows identical, 0 differ, 2 OPS-only (left alone)" in output
    assert sync()[0] == 0 and SyncRun.objects.latest("started_at").changed == 0


def test_fac_changes_of_every_kind_converge(existing_ops):
    fac, session = existing_ops.fac, existing_ops.session
    assert sync()[0] == 0
    owned = {table: existing_ops.ops_owned(table) for table in ADOPTED}
    clients, armateurs = existing_ops.clients, existing_ops.armateurs
    now = fac_now()
    new = ClientFactory(nom="Nouveau client 🚢", updated_at=now)
    fac.update("clients", clients[2]["id"], nom="Renommé", rccm="GA-LBV-2026-B-1", updated_at=now)
    fac.update("clients", clients[3]["id"], deleted_at=now, updated_at=now)  # soft delete
    fac.hard_delete("clients", clients[4]["id"])
    fac.hard_delete("armateurs", armateurs[4]["id"])
    fac.execute("START TRANSACTION")  # two codes swapped in one edit
    fac.update("armateurs", armateurs[1]["id"], code="tmp")
    fac.update("armateurs", armateurs[2]["id"], code=armateurs[1]["code"], updated_at=now)
    fac.update("armateurs", armateurs[1]["id"], code=armateurs[2]["code"], updated_at=now)
    fac.execute("COMMIT")
    gone_armateur = query(session, "SELECT * FROM armateurs WHERE id = %s", [armateurs[4]["id"]])

    status, output = sync()

    assert status == 0, output
    assert existing_ops.mismatches("clients") == [] and existing_ops.mismatches("armateurs") == []
    assert query(session, "SELECT nom FROM clients WHERE id = %s", [new["id"]]) == [("Nouveau client 🚢",)]
    # A hard delete: marked where OPS has a deleted_at, recorded (and untouched) where it has none.
    assert query(session, "SELECT deleted_at IS NOT NULL FROM clients WHERE id = %s", [clients[4]["id"]]) == [(1,)]
    assert query(session, "SELECT * FROM armateurs WHERE id = %s", [armateurs[4]["id"]]) == gone_armateur
    assert VanishedRow.objects.filter(table="armateurs", row_id=armateurs[4]["id"]).exists()
    assert "1 row gone from FAC, recorded (no deleted_at to mark)" in sync("--status")[1]
    assert {table: existing_ops.ops_owned(table) for table in ADOPTED} == owned

    later = now + timedelta(seconds=1)
    fac.update("clients", clients[3]["id"], deleted_at=None, updated_at=later)  # restore
    fac.insert("armateurs", {**armateurs[4], "updated_at": later})  # back after a hard delete
    assert sync()[0] == 0
    assert existing_ops.mismatches("clients") == [] and existing_ops.mismatches("armateurs") == []
    assert not VanishedRow.objects.filter(table="armateurs").exists()
    assert {table: existing_ops.ops_owned(table) for table in ADOPTED} == owned


def test_rows_ops_makes_later_are_its_own_and_a_fac_row_with_their_id_collides(existing_ops):
    session = existing_ops.session
    assert sync()[0] == 0
    # The operations application creates a client of its own (AUTO_INCREMENT: above every FAC id).
    query(session, "INSERT INTO clients (nom, code) VALUES ('Client du guichet', 'G1')")
    own_id = query(session, "SELECT LAST_INSERT_ID()")[0][0]
    assert sync()[0] == 0
    assert query(session, "SELECT nom, deleted_at FROM clients WHERE id = %s", [own_id]) == [
        ("Client du guichet", None)
    ]
    assert OpsOnlyRow.objects.filter(table="clients", row_id=own_id).exists()

    # Then FAC gives the same id to a client of its own, and another to an adopted OPS-only id.
    ClientFactory(id=own_id, nom="Client facturé")
    ClientFactory(id=OPS_ONLY_IDS["clients"][1], nom="Autre client facturé")
    for _ in range(2):  # a row error on every run, until someone resolves it
        status, output = sync()
        assert status == 1
        for row_id in (own_id, OPS_ONLY_IDS["clients"][1]):
            assert f"collision: FAC clients #{row_id} has the id of the OPS-only row clients #{row_id}" in output
        assert query(session, "SELECT nom FROM clients WHERE id = %s", [own_id]) == [("Client du guichet",)]
        assert query(session, "SELECT nom FROM clients WHERE id = %s", [OPS_ONLY_IDS["clients"][1]]) == [
            ("Client comptoir",)
        ]

    # Resolved in OPS: its row renumbered. FAC's row then comes; the other collision remains.
    query(session, "UPDATE clients SET id = id + 1000 WHERE id = %s", [own_id])
    status, output = sync()
    assert status == 1 and f"FAC clients #{own_id}" not in output
    assert query(session, "SELECT nom FROM clients WHERE id = %s", [own_id]) == [("Client facturé",)]
    assert not OpsOnlyRow.objects.filter(table="clients", row_id=own_id).exists()


def test_check_reads_both_sides_and_names_each_problem(existing_ops):
    status, output = sync("--check")
    assert status == 0, output
    # armateurs is a legacy utf8 table: a warning, since only rows with 4-byte characters suffer.
    assert (
        "armateurs: warning: OPS armateurs.nom (varchar(255)) and FAC armateurs.nom (varchar(255)): utf8mb3" in output
    )
    assert check_lines_of(output, "clients") == []
    # armateurs feeds Laravel's updated_at, which the application writes on every save.
    assert (
        "armateurs: warning: OPS armateurs.updated_at is fed by FAC, and the operations application writes it too"
        in (output)
    )
    query(existing_ops.session, "UPDATE clients SET registre_commerce = '' WHERE registre_commerce IS NULL")
    query(
        existing_ops.session,
        "ALTER TABLE clients MODIFY ninea VARCHAR(10) NULL, MODIFY registre_commerce VARCHAR(255) NOT NULL "
        "DEFAULT '', DROP COLUMN contact_nom, ADD COLUMN agence VARCHAR(20) NOT NULL",
    )

    status, output = sync("--check")

    assert status == 1
    assert (
        "clients: OPS clients.ninea (varchar(10)) cannot hold FAC clients.nif (varchar(255)): 10 characters" in output
    )
    assert "clients: OPS clients.registre_commerce is NOT NULL but FAC clients.rccm may be NULL" in output
    assert "clients: OPS clients.contact_nom is missing (fed by FAC clients.contact_principal)" in output
    assert "clients: OPS clients.agence is NOT NULL without a default and no FAC column feeds it" in output
    assert not SyncRun.objects.exists()


def test_verify_finds_an_edited_mapped_column_and_force_repairs_only_that(existing_ops):
    assert sync()[0] == 0
    edited = existing_ops.clients[2]["id"]
    query(existing_ops.session, "UPDATE clients SET registre_commerce = 'modifié dans OPS' WHERE id = %s", [edited])
    owned = {table: existing_ops.ops_owned(table) for table in ADOPTED}

    status, output = sync("--verify", "-v", "2")
    assert status == 1 and f"clients #{edited}: differs in column registre_commerce" in output

    assert sync("--force")[0] == 0
    assert sync("--verify")[0] == 0
    assert existing_ops.mismatches("clients") == []
    assert {table: existing_ops.ops_owned(table) for table in ADOPTED} == owned


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[clients]\nadopt = true\ncolumns = { raison = 'nom' }", "[clients] columns.raison: FAC table clients"),
        ("[clients]\nadopt = true\ncolumns = { rccm = 'n', nif = 'n' }", "[clients] columns.nif: OPS column 'n'"),
        ("[clients]\nadopt = 1", "[clients] adopt: must be true or false"),
    ],
)
def test_a_bad_mapping_file_stops_the_program_with_one_line(tmp_path, text, expected):
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    for arguments in (["check"], ["sync_from_facturation"], ["migrate", "--noinput"]):
        done = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, capture_output=True, text=True,
                              env=subprocess_env(SYNC_MAPPING_FILE=str(path)), check=False)  # fmt: skip
        assert done.returncode == 1
        assert done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
        assert f"configuration error: SYNC_MAPPING_FILE {path}: {expected}" in done.stderr


def test_the_admin_shows_adopted_tables_under_their_ops_names(existing_ops, settings):
    """In a process started with the mapping file, as the web server would be."""
    assert sync()[0] == 0
    pages = admin_pages(
        settings.SYNC_MAPPING_FILE,
        "/admin/adopted/adoptedclient/",
        "/admin/adopted/adoptedarmateur/",
        "/admin/syncapp/opsonlyrow/?table=clients",
        "/admin/syncapp/dashboard/",
        "/admin/syncapp/client/",
    )

    status, page = pages["/admin/adopted/adoptedclient/"]
    assert status == 200
    headers = page.lower().split("<thead>")[1].split("</thead>")[0]
    assert ">ninea<" in headers and ">nif<" not in headers  # OPS's name, not FAC's
    assert existing_ops.clients[0]["nom"] in page and "Client comptoir" in page
    assert "Change it in FAC" in page or "Modifiez-les dans FAC" in page  # the mirror's banner
    status, page = pages["/admin/adopted/adoptedarmateur/"]
    assert status == 200 and "Armateur local" in page
    assert "escale_habituelle" not in page  # OPS's own column: not the sync's to show
    status, page = pages["/admin/syncapp/opsonlyrow/?table=clients"]
    assert status == 200 and str(OPS_ONLY_IDS["clients"][0]) in page
    assert pages["/admin/syncapp/dashboard/"][0] == 200
    assert pages["/admin/syncapp/client/"][0] == 404  # opsync's own clients model is not the table here


def test_the_mass_delete_guard_holds_on_an_adopted_table(existing_ops, settings):
    settings.SYNC_MAX_DELETE_FLOOR = 2
    assert sync()[0] == 0
    for row in existing_ops.clients[:5]:
        existing_ops.fac.hard_delete("clients", row["id"])

    status, output = sync("--table", "clients")

    assert status == 1 and "refused to mark 5 of 8 live rows deleted" in output
    assert query(existing_ops.session, "SELECT COUNT(*) FROM clients WHERE deleted_at IS NOT NULL") == [(0,)]
    assert sync("--table", "clients", "--allow-mass-delete")[0] == 0
    assert query(existing_ops.session, "SELECT COUNT(*) FROM clients WHERE deleted_at IS NOT NULL") == [(5,)]
    assert OpsOnlyRow.objects.filter(table="clients").count() == 2  # OPS's own rows were never at stake


def test_a_value_the_legacy_utf8_table_cannot_hold_is_a_row_error_and_the_rest_applies(existing_ops):
    assert sync()[0] == 0
    emoji, plain = existing_ops.armateurs[1]["id"], existing_ops.armateurs[2]["id"]
    existing_ops.fac.update("armateurs", emoji, nom="Armateur 🚢", updated_at=fac_now())
    existing_ops.fac.update("armateurs", plain, nom="Armateur renommé", updated_at=fac_now())

    status, output = sync("--table", "armateurs")

    assert status == 1
    assert f"armateurs: row #{emoji} not stored: characters that column nom cannot store" in output
    assert existing_ops.mismatches("armateurs") == [emoji]
    assert query(existing_ops.session, "SELECT nom FROM armateurs WHERE id = %s", [plain]) == [("Armateur renommé",)]


def test_a_run_does_not_write_into_a_table_check_finds_unfit_and_the_others_go_on(existing_ops):
    session = existing_ops.session
    query(session, "ALTER TABLE clients MODIFY ninea VARCHAR(10) NULL")
    before = checksum(session, "clients", tuple(PAIRS["clients"].values()))

    status, output = sync()

    assert status == 1
    line = "OPS clients.ninea (varchar(10)) cannot hold FAC clients.nif (varchar(255)): 10 characters"
    assert f"clients: not written: {line}" in output
    assert checksum(session, "clients", tuple(PAIRS["clients"].values())) == before
    assert existing_ops.mismatches("armateurs") == []  # the other table went on
    result = SyncRun.objects.latest("started_at").results.get(table="clients")
    assert result.status == "failed" and line in result.error


def test_a_view_is_never_written_through(existing_ops, settings, tmp_path):
    session = existing_ops.session
    query(session, "CREATE VIEW clients_vue AS SELECT * FROM clients")
    try:
        path = tmp_path / "view.toml"
        path.write_text(
            "[clients]\nadopt = true\nops_table = 'clients_vue'\nidentity = ['nom']\n"
            "columns = { nom = 'nom', email = 'email' }\n",
            encoding="utf-8",
        )
        settings.SYNC_MAPPING_FILE = str(path)
        before = checksum(session, "clients", ("nom", "email"))
        existing_ops.fac.update("clients", existing_ops.clients[0]["id"], nom="Changé dans FAC", updated_at=fac_now())

        status, output = sync("--table", "clients")
        assert status == 1 and "OPS clients_vue is a view: opsync writes only into tables" in output
        assert checksum(session, "clients", ("nom", "email")) == before
        status, output = sync("--check", "--table", "clients")
        assert status == 1 and "OPS clients_vue is a view" in output
    finally:
        query(session, "DROP VIEW clients_vue")


def test_a_fac_value_with_line_breaks_cannot_forge_a_log_line(existing_ops, settings):
    """MySQL's error quotes the value it refused: with its \\n, it would have written a line of its own."""
    import re

    from django.conf import settings as django_settings

    query(existing_ops.session, "ALTER TABLE clients ADD UNIQUE KEY clients_email_unique (email)")
    forged = "D\x1b[2K\r\n2026-12-01T00:00:00+0100 INFO run #999 clients success"
    ClientFactory(email=forged, updated_at=fac_now())
    ClientFactory(email=forged, updated_at=fac_now())  # FAC allows it; OPS's unique key refuses the second
    log_file = django_settings.SYNC_LOG_FILE
    before = log_file.stat().st_size if log_file.exists() else 0  # the suite's log: earlier tests' lines are theirs

    status, output = sync("--table", "clients")

    assert status == 1 and "another row already has this value of the unique key" in output
    log = log_file.read_bytes()[before:].decode("utf-8")
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} [A-Z]+ ", line) for line in log.splitlines()), log
    assert "[2K\\r\\n2026-12-01T00:00:00+0100 INFO run #999" in log  # one line, escaped
    result = SyncRun.objects.latest("started_at").results.get(table="clients")
    assert not any(mark in result.error + str(result.row_errors) for mark in ("\n2026", "\r", "\x1b"))
    assert "\n" not in output.split("unique key")[1].split("\n")[0] + "x"
