"""FAC is read-only three ways; each test here fails if its layer is removed."""

import MySQLdb
import pytest
from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.mysql.base import DatabaseWrapper as MySQLWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.db.utils import OperationalError

from opsync.env import Settings, database_settings
from syncapp.config.routers import FacturationRouter
from syncapp.models import FacArmateur, FacClient
from syncapp.models.readonly import ReadOnlySourceError
from tests import backend
from tests.fac import mysql_writer_settings, sqlite_settings

FAC_DB = ["default", "facturation"]
MYSQL_ERR_COMMAND_DENIED = 1142
MYSQL_ERR_READ_ONLY_TRANSACTION = 1792


# Layer 1: the database user has SELECT only (sql/create_ops_reader.sql).


@pytest.mark.mariadb
@pytest.mark.django_db(databases=FAC_DB)
def test_reader_user_can_only_select(fac):
    fac.insert("armateurs", {"nom": "MSC", "code": "MSC"})
    # A bare connection as the reader, without the read-only session of layer 2.
    raw = MySQLdb.connect(
        host=backend.MYSQL["host"],
        port=backend.MYSQL["port"],
        user=backend.READER_USER,
        password=backend.READER_PASSWORD,
        database=backend.FAC_TEST_DATABASE,
    )
    with raw.cursor() as cursor:
        cursor.execute("SHOW GRANTS")
        grants = " ".join(row[0] for row in cursor.fetchall())
        assert "GRANT SELECT ON" in grants and "INSERT" not in grants
        for statement in (
            "INSERT INTO armateurs (nom) VALUES ('Maersk')",
            "UPDATE armateurs SET nom = 'x'",
            "DELETE FROM armateurs",
        ):
            with pytest.raises(MySQLdb.OperationalError) as denied:
                cursor.execute(statement)
            assert denied.value.args[0] == MYSQL_ERR_COMMAND_DENIED
    raw.close()
    assert fac.fetchall("SELECT nom FROM armateurs") == [("MSC",)]


# Layer 2: every `facturation` session is opened read-only.


@pytest.mark.mariadb
@pytest.mark.django_db(databases=FAC_DB)
def test_fac_session_is_read_only_even_for_a_user_with_more_grants(fac):
    fac.insert("armateurs", {"nom": "MSC", "code": "MSC"})
    powerful = {
        **settings.DATABASES["facturation"],
        "USER": backend.MYSQL["user"],
        "PASSWORD": backend.MYSQL["password"],
    }
    connection = MySQLWrapper({**mysql_writer_settings(), **powerful}, alias="facturation_as_root")
    try:
        with connection.cursor() as cursor, pytest.raises(OperationalError) as refused:
            cursor.execute("UPDATE armateurs SET nom = 'écrasé'")
        assert refused.value.args[0] == MYSQL_ERR_READ_ONLY_TRANSACTION
    finally:
        connection.close()
    assert fac.fetchall("SELECT nom FROM armateurs") == [("MSC",)]


@pytest.mark.mariadb
@pytest.mark.django_db(databases=FAC_DB, transaction=True)
def test_the_readers_two_set_up_statements_leave_the_session_as_djangos_backend_would(fac):
    """syncapp/sql/reader sends two statements where Django's backend sends five: the session it
    leaves is the same (and read-only); 4-byte characters cross it whole."""
    fac.insert("armateurs", {"nom": "Navire 🚢 « Ogooué »"})
    fac_connection = connections["facturation"]
    fac_connection.close()
    with fac_connection.cursor() as cursor:
        cursor.execute(
            "SELECT @@character_set_client, @@character_set_connection, @@character_set_results, "
            "@@time_zone, @@sql_auto_is_null, @@tx_isolation, @@tx_read_only, nom FROM armateurs"
        )
        assert list(cursor.fetchall()) == [
            ("utf8mb4", "utf8mb4", "utf8mb4", "+00:00", 0, "READ-COMMITTED", 1, "Navire 🚢 « Ogooué »")
        ]
    assert isinstance(fac_connection, MySQLWrapper)  # syncapp/sql/reader's, a subclass
    assert fac_connection.mysql_is_mariadb and fac_connection.mysql_version >= (10, 5)  # from the handshake


@pytest.mark.django_db(databases=FAC_DB)
def test_sqlite_fac_is_opened_read_only(tmp_path, monkeypatch, django_db_blocker):
    path = tmp_path / "fac.sqlite3"
    monkeypatch.setenv("FAC_DB_CONNECTION", "sqlite")
    monkeypatch.setenv("FAC_DB_DATABASE", str(path))
    fac_settings = database_settings(
        Settings(tmp_path / ".env"), "FAC_", default_name="x", base_dir=tmp_path, read_only=True
    )
    writable = SQLiteWrapper(sqlite_settings(str(path)), alias="fac_file_writer")
    with writable.cursor() as cursor:
        cursor.execute("CREATE TABLE armateurs (id integer primary key, nom text)")
        cursor.execute("INSERT INTO armateurs VALUES (1, 'MSC')")
    writable.close()

    reader = SQLiteWrapper(sqlite_settings(str(path)) | fac_settings, alias="fac_file_reader")
    try:
        with reader.cursor() as cursor:
            cursor.execute("SELECT nom FROM armateurs")
            assert cursor.fetchall() == [("MSC",)]
            with pytest.raises(OperationalError, match="readonly"):
                cursor.execute("UPDATE armateurs SET nom = 'écrasé'")
    finally:
        reader.close()


# Layer 3: FAC models refuse writes in Python, whichever alias is named.

WRITES = {
    "save": lambda qs: qs.get().save(),
    "save(using=facturation)": lambda qs: qs.get().save(using="facturation"),
    "delete": lambda qs: qs.get().delete(),
    "QuerySet.update": lambda qs: qs.update(nom="écrasé"),
    "QuerySet.delete": lambda qs: qs.delete(),
    "QuerySet.create": lambda qs: qs.create(nom="Hapag-Lloyd"),
    "QuerySet.bulk_create": lambda qs: qs.bulk_create([FacArmateur(nom="ONE")]),
    "QuerySet.bulk_update": lambda qs: qs.bulk_update(list(qs), ["nom"]),
    "QuerySet.get_or_create": lambda qs: qs.get_or_create(nom="COSCO"),
    "QuerySet.update_or_create": lambda qs: qs.update_or_create(nom="MSC", defaults={"code": "X"}),
    "Manager.create": lambda qs: FacArmateur.objects.create(nom="Grimaldi"),
}


@pytest.mark.parametrize("alias", [None, "facturation"])
@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
@pytest.mark.django_db(databases=FAC_DB)
def test_fac_models_refuse_every_write(fac, write, alias):
    fac.insert("armateurs", {"nom": "MSC", "code": "MSC"})
    queryset = FacArmateur.objects.all() if alias is None else FacArmateur.objects.using(alias)
    with pytest.raises(ReadOnlySourceError, match="read-only source"):
        write(queryset)
    assert fac.fetchall("SELECT nom, code FROM armateurs") == [("MSC", "MSC")]


def test_router_never_migrates_fac_and_reads_fac_models_there():
    router = FacturationRouter()
    assert router.allow_migrate("facturation", "syncapp", "client") is False
    assert router.allow_migrate("facturation", "auth") is False
    assert router.allow_migrate("default", "syncapp", "client") is True
    assert router.db_for_read(FacClient) == "facturation"
    with pytest.raises(ReadOnlySourceError):
        router.db_for_write(FacClient)


@pytest.mark.django_db(databases=FAC_DB)
def test_nothing_of_opsync_is_created_in_fac():
    tables = connections["facturation"].introspection.table_names()
    assert sorted(tables) == ["armateurs", "clients", "representants", "services", "transitaires"]


@pytest.mark.django_db(databases=FAC_DB)
def test_a_raw_write_through_the_facturation_alias_fails(fac):
    with connections["facturation"].cursor() as cursor, pytest.raises(DatabaseError):
        cursor.execute("INSERT INTO armateurs (nom) VALUES ('Maersk')")
    assert fac.fetchall("SELECT COUNT(*) FROM armateurs") == [(0,)]
