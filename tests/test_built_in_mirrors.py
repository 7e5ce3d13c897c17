"""The five's mirrors take the path of every mirror opsync owns (issue 26).

`migrate` makes them from FAC's columns, after Django's migrations, as it makes a declared table's
mirror, and records them; a mirror an earlier release made by Django's migrations is recognised and
recorded with every row kept; the operations application's own table of the same name is never
taken for one.
"""

import socket

import pytest
from django.db import connections

from syncapp.models import Armateur, Client, OwnedTable, SyncTableResult
from syncapp.sql import server
from tests import backend
from tests.factories import ArmateurFactory, ClientFactory
from tests.mirror import migrate, sync

ON_MARIADB = backend.BACKEND == "mariadb"
pytestmark = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)


def ops_execute(sql: str) -> list[tuple]:
    with connections["default"].cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall()) if cursor.description else []


def closed_port() -> int:
    """A local port nobody listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dropped(table: str) -> None:
    """OPS without this mirror, nor its record: as before opsync made it."""
    ops_execute(f"DROP TABLE IF EXISTS {table}")
    OwnedTable.objects.filter(ops_table=table).delete()


@pytest.fixture
def remade(fac):
    """After the test, each of the five's mirrors as migrate makes it from FAC's own schema."""
    yield fac
    if ON_MARIADB:
        from tests.fac import create_mariadb_fac

        connections["facturation"].close()
        create_mariadb_fac()
    for table in ("clients", "armateurs"):
        dropped(table)
    assert migrate()[0] == 0


def test_migrate_makes_a_mirror_of_the_five_from_fac_columns_and_records_it(remade):
    if ON_MARIADB:
        remade.execute("ALTER TABLE armateurs MODIFY nom VARCHAR(400) NOT NULL")
    dropped("armateurs")

    assert migrate() == (0, "Created OPS armateurs, the mirror of FAC armateurs.\n")

    assert OwnedTable.objects.filter(ops_table="armateurs", fac_table="armateurs").exists()
    columns = server.column_info(connections["default"], "armateurs")
    fed = [field.column for field in Armateur._meta.concrete_fields if field.column != "synced_at"]
    assert list(columns) == [*fed, "synced_at"]  # FAC's columns the contract lists, then opsync's own
    if ON_MARIADB:
        assert columns["nom"]["column_type"] == "varchar(400)"  # FAC's type, not the model's 255
    ArmateurFactory(nom="A" * (300 if ON_MARIADB else 30))
    assert sync("--table", "armateurs")[0] == 0
    assert Armateur.objects.get().nom == "A" * (300 if ON_MARIADB else 30)


def test_a_mirror_an_earlier_release_made_by_django_migrations_is_handed_over_with_its_rows(remade):
    ClientFactory.create_batch(3)
    dropped("clients")
    with connections["default"].schema_editor() as editor:
        editor.create_model(Client)  # what migration 0001 made until now
    OwnedTable.objects.create(ops_table="clients", fac_table="clients")
    assert sync("--table", "clients")[0] == 0
    OwnedTable.objects.filter(ops_table="clients").delete()  # the earlier release kept no record of it

    assert migrate() == (0, "")  # neither made again nor refused

    assert OwnedTable.objects.filter(ops_table="clients").exists()
    assert Client.objects.count() == 3
    assert sync("--table", "clients")[0] == 0
    last = SyncTableResult.objects.filter(table="clients").latest("pk")
    assert last.inserted + last.updated + last.deleted + last.restored == 0
    assert sync("--verify", "--table", "clients")[0] == 0


def test_the_applications_own_clients_is_never_taken_for_the_mirror(remade):
    dropped("clients")
    ops_execute("CREATE TABLE clients (id INTEGER NOT NULL PRIMARY KEY, nom VARCHAR(255) NOT NULL, "
                "deleted_at DATETIME NULL, updated_at DATETIME NULL)")  # fmt: skip
    ops_execute("INSERT INTO clients (id, nom) VALUES (1, 'Compagnie du Komo')")
    ClientFactory(id=1, nom="Autre client")
    not_owned = "OPS clients was not created by opsync: it is the operations application's table"

    status, said = migrate()
    assert status == 1 and said.startswith("opsync: OPS already has “clients”, a table opsync did not create"), said
    status, output = sync("--table", "clients")

    assert status == 1 and not_owned in output
    assert ops_execute("SELECT id, nom FROM clients") == [(1, "Compagnie du Komo")]
    assert [c.name for c in connections["default"].introspection.get_table_description(
        connections["default"].cursor(), "clients")] == ["id", "nom", "deleted_at", "updated_at"]  # fmt: skip
    assert not OwnedTable.objects.filter(ops_table="clients").exists()


def test_without_fac_migrate_makes_no_mirror_and_says_which_wait(remade):
    dropped("armateurs")
    fac = connections["facturation"]
    saved = dict(fac.settings_dict)
    if ON_MARIADB:
        fac.settings_dict["PORT"] = closed_port()
    else:
        fac.settings_dict["NAME"] = "file:/nonexistent/facturation.sqlite3?mode=ro"
    fac.close()
    try:
        status, said = migrate()
    finally:
        fac.close()
        fac.settings_dict.update(saved)

    assert status == 1 and said.startswith("opsync: Mirrors not made (armateurs): FAC unreachable"), said
    assert "run migrate again once FAC answers." in said
    assert server.table_columns(connections["default"], "armateurs") is None
    assert migrate() == (0, "Created OPS armateurs, the mirror of FAC armateurs.\n")  # FAC back: made
