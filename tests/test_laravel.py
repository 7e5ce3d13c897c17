"""Beside the real operations application: an OPS built by Laravel, its staff at work through Eloquent.

tests/laravel/ops.php builds OPS's clients and work orders with Laravel's Schema builder and
its `migrations` table, and plays the staff: own clients that take the next AUTO_INCREMENT ids
(so ids FAC hands out too), work orders referencing them, edits of the application's own
columns (each save() bumps updated_at). opsync adopts the table with the example mapping.
"""

import json
import signal
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import MySQLdb
import pytest
from django.db import connections

from syncapp.models import Client, OpsOnlyRow, OwnedTable, RenumberedRow, SyncRun, SyncState
from tests.adopted import PAIRS, checksum, copy_from_fac, mismatches, query, root
from tests.factories import ClientFactory, fac_now
from tests.laravel_app import artisan, example_section, require_laravel, start_workload
from tests.mirror import migrate, sync
from tests.sessions import poll, start_child

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(databases=["default", "facturation"], transaction=True)]
LARAVEL_TABLES = ("ordres_travail", "clients", "migrations")  # in the order they can be dropped
OWN_COLUMNS = ("code", "nom", "email", "ville", "statut", "credit_bloque", "commercial_id", "created_at",
               "updated_at", "deleted_at", "synced_at")  # fmt: skip


@dataclass
class LaravelOps:
    session: MySQLdb.Connection
    database: str
    fac: object  # the FAC writer
    mapping: Path

    def artisan(self, *args: str) -> dict:
        return artisan(self.database, *args)

    def mismatches(self) -> list[int]:
        return mismatches(self.session, self.database, "clients")

    def own_rows(self) -> list[tuple]:
        """The staff's own clients, whole but for their id, by their own code."""
        listed = ", ".join(f"`{c}`" for c in OWN_COLUMNS)
        return query(self.session, f"SELECT {listed} FROM clients WHERE code LIKE 'OPS-%%' ORDER BY code")

    def orders(self) -> list[tuple]:
        """Each work order with the code (or, for FAC's clients, the name) of the client it references."""
        return query(
            self.session,
            "SELECT o.id, COALESCE(c.code, c.nom) FROM ordres_travail o JOIN clients c ON c.id = o.client_id "
            "ORDER BY o.id",
        )


@pytest.fixture
def laravel_ops(fac, transactional_db, settings, tmp_path):
    """OPS's clients table as Laravel builds it, adopted with the example mapping; opsync's comes back after."""
    require_laravel()
    database = str(connections["default"].settings_dict["NAME"])
    session = root(database)
    query(session, "DROP TABLE clients")
    artisan(database, "build")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(example_section("clients"), encoding="utf-8")
    settings.SYNC_MAPPING_FILE = str(mapping)
    yield LaravelOps(session, database, fac, mapping)
    for table in LARAVEL_TABLES:
        query(session, f"DROP TABLE IF EXISTS `{table}`")
    session.close()
    with connections["default"].schema_editor() as editor:
        editor.create_model(Client)


def test_the_first_migrate_beside_laravels_clients_creates_nothing_until_the_mapping_adopts_it(laravel_ops, settings):
    """The guide's first `migrate` on the application's own OPS: it has `clients`, and none of opsync's
    mirrors yet. MySQL cannot roll DDL back, so migrate checks every table before it creates any: it
    refuses in one line that names the application's tables and says to adopt them, and creates no
    mirror; once the mapping file adopts them, it creates the others."""
    others = ("transitaires", "armateurs", "representants", "services")
    for table in others:  # a fresh OPS: no mirror of opsync's yet
        query(laravel_ops.session, f"DROP TABLE IF EXISTS `{table}`")
    OwnedTable.objects.all().delete()  # nor any record of one: `clients` is Laravel's
    settings.SYNC_MAPPING_FILE = ""  # the guide's step 5, before the chapter on the mapping file
    laravel = laravel_ops.own_rows()

    status, said = migrate()
    assert status == 1 and said.count("\n") == 1, said
    assert said.startswith("opsync: OPS already has “clients”, a table opsync did not create"), said
    assert "nothing was created. Adopt it in the mapping file (SYNC_MAPPING_FILE: adopt = true" in said, said
    tables = {row[0] for row in query(laravel_ops.session, "SHOW TABLES")}
    assert not tables & set(others), tables  # nothing to drop by hand before adopting
    assert laravel_ops.own_rows() == laravel
    status, said = migrate(language="fr")
    french = said.replace("\xa0", " ")
    assert status == 1 and "OPS a déjà la table « clients », qu’opsync n’a pas créée" in french, said
    assert "rien n’a été créé. Reprenez-la dans le fichier de correspondance (SYNC_MAPPING_FILE :" in french, said

    settings.SYNC_MAPPING_FILE = str(laravel_ops.mapping)  # clients adopted
    status, said = migrate()
    assert status == 0, said
    assert said.splitlines() == [f"Created OPS {table}, the mirror of FAC {table}." for table in others]
    assert sync("--check")[0] == 0 and sync()[0] == 0
    assert laravel_ops.own_rows() == laravel and not laravel_ops.mismatches()


def test_interleaved_ids_are_never_overwritten_and_renumbering_lets_fac_in(laravel_ops):
    ops = laravel_ops
    copied = ClientFactory.create_batch(20, updated_at=fac_now() - timedelta(days=2))
    copy_from_fac(ops.session, "clients", f"id IN ({', '.join(str(row['id']) for row in copied)})")  # the old command
    own = ops.artisan("staff-clients", "15")["ids"]  # the staff's own: the next AUTO_INCREMENT ids
    assert own[0] == copied[-1]["id"] + 1
    later = ClientFactory.create_batch(10, updated_at=fac_now())  # and FAC hands out the same ids
    assert [row["id"] for row in later] == own[:10]
    ops.artisan("orders", str(own[1]), str(own[12]), str(copied[3]["id"]), str(own[1]))
    own_rows, orders = ops.own_rows(), ops.orders()
    whole = checksum(ops.session, "clients", OWN_COLUMNS + tuple(PAIRS["clients"].values()))

    # The adoption preview: exact counts, the ids at -v 2, nothing written.
    status, output = sync("--dry-run", "-v", "2", "--table", "clients")
    assert status == 1, output  # collisions are row errors: someone must act
    assert "clients: 20 identical, 0 would be updated, 0 would be inserted, 15 OPS-only (left alone), 10 collide" in (
        output
    )
    for row_id in own[:10]:
        assert f"collision: FAC clients #{row_id} has the id of the OPS-only row clients #{row_id}" in output
    for row_id in own[10:]:
        assert f"clients #{row_id}: OPS-only" in output
    assert checksum(ops.session, "clients", OWN_COLUMNS + tuple(PAIRS["clients"].values())) == whole
    assert not OpsOnlyRow.objects.exists() and not SyncState.objects.exists()

    # The first runs: none of the staff's rows is written; each collision stays a row error.
    for _ in range(2):
        status, output = sync("--table", "clients")
        assert status == 1 and output.count("collision: FAC clients #") == 10
        assert ops.own_rows() == own_rows and ops.orders() == orders
    assert OpsOnlyRow.objects.filter(table="clients").count() == 15
    assert sorted(OpsOnlyRow.objects.filter(collides=True).values_list("row_id", flat=True)) == own[:10]
    status, output = sync("--verify", "-v", "2", "--table", "clients")
    assert status == 1 and f"clients #{own[0]}: FAC's row has the id of an OPS-only row" in output
    assert "clients  20 rows identical, 10 differ, 15 OPS-only (left alone)" in output
    assert "FAC rows have the ids of OPS-only rows in clients (10); --renumber-ops-only clients" in output

    # Renumbering: the preview writes nothing; then the rows move with their references.
    status, output = sync("--renumber-ops-only", "clients", "--dry-run", "-v", "2")
    assert status == 0, output
    assert (
        "clients: 15 OPS-only rows would move to ids 1000000001 to 1000000015, with 3 references "
        "(ordres_travail.client_id); nothing written" in output
    )
    assert f"clients #{own[1]}: → #1000000002, 2 references" in output
    assert ops.own_rows() == own_rows and ops.orders() == orders and not RenumberedRow.objects.exists()

    status, output = sync("--renumber-ops-only", "clients")
    assert status == 0, output
    assert "clients: 15 OPS-only rows moved to ids 1000000001 to 1000000015, with 3 references" in output
    assert "ALTER TABLE `clients` AUTO_INCREMENT = 1000000016;" in output
    moved = dict(RenumberedRow.objects.values_list("old_id", "new_id"))
    assert moved == {old: 1_000_000_001 + index for index, old in enumerate(own)}
    assert ops.own_rows() == own_rows and ops.orders() == orders  # same rows, same references, new ids

    # Then FAC's rows come into the freed ids, and everything converges.
    status, output = sync("--table", "clients")
    assert status == 0, output
    assert ops.mismatches() == [] and ops.own_rows() == own_rows and ops.orders() == orders
    assert sync("--verify", "--table", "clients")[0] == 0
    query(ops.session, "ALTER TABLE `clients` AUTO_INCREMENT = 1000000016")  # as the command said
    assert ops.artisan("staff-clients", "1")["ids"] == [1_000_000_016]
    assert sync("--table", "clients")[0] == 0 and ops.mismatches() == []


def test_the_staff_at_work_beside_the_watcher_lose_nothing_and_verify_finds_nothing(laravel_ops):
    ops = laravel_ops
    clients = ClientFactory.create_batch(40, updated_at=fac_now() - timedelta(days=2))
    copy_from_fac(ops.session, "clients")  # the old command's copies, updated_at included
    assert sync()[0] == 0 and ops.mismatches() == []

    watcher = start_child("--watch", SYNC_WATCH_INTERVAL="0.2", SYNC_MAPPING_FILE=str(ops.mapping))
    try:
        poll(lambda: SyncRun.objects.filter(trigger=SyncRun.Trigger.WATCH).exists(), "the watcher's first run")
        staff = start_workload(ops.database, seconds=8, seed=20261201)
        for step in range(8):  # meanwhile, the billing application edits its clients
            row = clients[(step * 7) % len(clients)]
            ops.fac.update("clients", row["id"], nom=f"{row['nom']} v{step}", telephone=f"+241 0{step}",
                           updated_at=fac_now())  # fmt: skip
            time.sleep(1)
        out, err = staff.communicate(timeout=60)
        assert staff.returncode == 0, out + err
        work = json.loads(out.strip().splitlines()[-1])
        poll(lambda: ops.mismatches() == [], "the watcher to bring every FAC change")
    finally:
        watcher.send_signal(signal.SIGTERM)
        printed = "".join(watcher.communicate(timeout=60))
    assert watcher.returncode == 0 and "Traceback" not in printed, printed

    # No OPS edit lost: the last value the staff saved in each of the application's columns is there.
    assert work["edits"] and work["orders"]
    for row_id, (statut, credit_bloque, commercial_id) in work["edits"].items():
        found = query(ops.session, "SELECT statut, credit_bloque, commercial_id FROM clients WHERE id = %s", [row_id])
        assert found == [(statut, credit_bloque, commercial_id)], row_id
    assert query(ops.session, "SELECT COUNT(*) FROM ordres_travail")[0][0] == work["orders"]
    # Eloquent wrote updated_at all along; it is the application's: no difference, nothing to repair.
    status, output = sync("--verify", "-v", "2")
    assert status == 0, output
    assert sync("--force")[0] == 0
    assert SyncRun.objects.latest("started_at").changed == 0


def test_the_proof_holds_on_laravels_table_too(laravel_ops):
    """The shifted separator and FAC's zero-date deletion, through the adoption's first copy, an
    incremental run and --force, into the application's own table."""
    ops = laravel_ops
    shifted = ClientFactory(nom="AB\x1fCD", email="x@ops.example", updated_at=fac_now())
    zero = ClientFactory(deleted_at="0000-00-00 00:00:00", updated_at=fac_now())
    assert sync("--table", "clients")[0] == 0  # the adoption's first comparison: an empty table, a first copy
    deleted_at = "SELECT deleted_at FROM clients WHERE id = %s"
    assert query(ops.session, deleted_at, [zero["id"]]) == [(datetime(1970, 1, 1, 0, 0, 1),)]
    # (The fixture's own comparison reads FAC's zero date as it is: that row is the one it flags.)
    assert ops.mismatches() == [zero["id"]] and sync("--verify", "--table", "clients")[0] == 0

    ops.fac.update("clients", shifted["id"], nom="AB", email="CD\x1fx@ops.example", updated_at=fac_now())
    assert sync("--table", "clients")[0] == 0  # incremental
    assert ops.mismatches() == [zero["id"]] and sync("--verify", "--table", "clients")[0] == 0

    # The other reading of the same joined text, written behind the sync's back: found, repaired.
    query(ops.session, "UPDATE clients SET nom = %s, email = %s WHERE id = %s",
          ["AB\x1fCD", "x@ops.example", shifted["id"]])  # fmt: skip
    query(ops.session, "UPDATE clients SET deleted_at = NULL WHERE id = %s", [zero["id"]])
    status, output = sync("--verify", "-v", "2", "--table", "clients")
    assert status == 1 and f"clients #{shifted['id']}: differs in columns nom, email" in output
    assert f"clients #{zero['id']}: differs in column deleted_at" in output
    assert sync("--force", "--table", "clients")[0] == 0
    assert ops.mismatches() == [zero["id"]] and sync("--verify", "--table", "clients")[0] == 0
    assert query(ops.session, deleted_at, [zero["id"]]) == [(datetime(1970, 1, 1, 0, 0, 1),)]
