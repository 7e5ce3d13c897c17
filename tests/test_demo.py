"""The demo FAC database: its shape, its untidy data, and that it is built without touching FAC.

Self-contained on purpose: the command opens its own SQLite connection, so these tests need no
Django test database, only pytest-django's permission to open a connection (`django_db_blocker`).
"""

import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections

from syncapp.demo import data as demo
from syncapp.demo.builder import DemoBuildError, connection_open, fac_sqlite_path
from syncapp.models.fac import FacArmateur, FacClient, FacRepresentant, FacService, FacTransitaire
from tests import statements

FAC_MODELS = (FacClient, FacTransitaire, FacArmateur, FacRepresentant, FacService)
TEXT_COLUMNS = {
    model._meta.db_table: [
        f.column for f in model._meta.concrete_fields if f.get_internal_type() in ("CharField", "TextField")
    ]
    for model in FAC_MODELS
}
SQLITE = connection_open(":memory:")  # never opened: only its quoting is used
DJANGO_SQLITE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@pytest.fixture
def build(django_db_blocker) -> Callable[..., Path]:
    """Run the command; pytest-django blocks every connection, the command's own included, unless unblocked."""

    def run(path: Path, **options) -> Path:
        with django_db_blocker.unblock():
            call_command("build_demo_facturation", path=str(path), stdout=options.pop("stdout", None), **options)
        return path

    return run


@pytest.fixture
def fac_file(build, tmp_path) -> Path:
    return build(tmp_path / "fac.sqlite3")


def select(table: str, columns: list[str]) -> str:
    return statements.select_statement(SQLITE, table, columns)


def query(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql, params).fetchall()


def test_tables_have_the_fac_models_columns(fac_file):
    for model in FAC_MODELS:
        info = query(fac_file, f'PRAGMA table_info("{model._meta.db_table}")')
        assert [(row[1], bool(row[3])) for row in info] == [
            (f.column, not f.null) for f in model._meta.concrete_fields
        ], model._meta.db_table


def test_every_table_has_rows_soft_deleted_and_hand_inserted(fac_file):
    for model in FAC_MODELS:
        table = model._meta.db_table
        stamps = query(fac_file, select(table, ["deleted_at", "updated_at"]))
        count = len(stamps)
        deleted = sum(deleted_at is not None for deleted_at, _ in stamps)
        null_updated = sum(updated_at is None for _, updated_at in stamps)
        assert count > 0, table
        assert 1 <= deleted < count / 2, table
        assert null_updated >= 1, table


def test_default_client_count_and_option(build, tmp_path):
    assert query(build(tmp_path / "a.sqlite3"), "SELECT COUNT(*) FROM clients") == [(demo.DEFAULT_CLIENTS,)]
    assert query(build(tmp_path / "b.sqlite3", clients=12), "SELECT COUNT(*) FROM clients") == [(12,)]


def test_the_big_shipping_lines_are_there(fac_file):
    lines = dict(query(fac_file, "SELECT code, nom FROM armateurs WHERE deleted_at IS NULL AND code IS NOT NULL"))
    assert {"MSC", "MAEU", "CMDU", "HLCU", "COSU", "ONEY", "GRIM"} <= set(lines)
    assert "Maersk" in lines["MAEU"] and "CMA CGM" in lines["CMDU"] and "MSC" in lines["MSC"]
    assert query(fac_file, "SELECT COUNT(*) FROM armateurs WHERE code IS NULL") == [(1,)]


def test_gabonese_data(fac_file):
    clients = query(fac_file, "SELECT nom, pays, type, telephone FROM clients")
    names = {row[0] for row in clients}
    assert {"Société Gabonaise de Transit", "Comilog", "Aurélie Nzé", "Jean-Noël Mba Obame"} <= names
    assert sum(row[1] == "Gabon" for row in clients) > len(clients) / 2
    assert {row[2] for row in clients} == {"Entreprise", "Particulier"}
    assert any(row[3].startswith("+241 0") for row in clients)
    assert query(fac_file, "SELECT statut, COUNT(*) FROM services GROUP BY statut ORDER BY statut")[0][0] == "actif"
    assert query(fac_file, "SELECT prix_unitaire FROM services WHERE code = 'MAN-20'") == [(85000,)]


def test_untidy_values_a_sync_must_copy_verbatim(fac_file):
    for table, columns in TEXT_COLUMNS.items():
        texts = [value for row in query(fac_file, select(table, columns)) for value in row]
        assert any(ord(char) > 0xFFFF for text in texts if text for char in text), f"no emoji in {table}"
    notes = [row[0] for row in query(fac_file, "SELECT notes FROM clients WHERE notes IS NOT NULL")]
    assert max(len(note) for note in notes) == demo.LONG_NOTE_LENGTH
    assert any('"' in note and "\\" in note and "🚢" in note for note in notes)
    assert query(fac_file, "SELECT COUNT(*) FROM clients WHERE email = ''") == [(1,)]


def test_stored_as_django_stores_them(fac_file):
    """Aware datetimes become naive UTC text without microseconds; decimals keep their value."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    for model in FAC_MODELS:
        table = model._meta.db_table
        for created, updated, deleted in query(fac_file, select(table, ["created_at", "updated_at", "deleted_at"])):
            for stamp in (created, updated, deleted):
                assert stamp is None or DJANGO_SQLITE_DATETIME.match(stamp), (table, stamp)
                assert stamp is None or stamp <= now, (table, stamp)
            assert created is None or updated is None or created <= updated, table
            assert deleted is None or deleted == updated, table
    rates = [rate for (rate,) in query(fac_file, "SELECT taux_commission FROM representants")]
    assert rates.count(None) == 1
    assert {Decimal(str(rate)) for rate in rates if rate is not None} <= {Decimal(r) for r in demo.COMMISSION_RATES}


def test_refuses_to_overwrite_an_existing_file(build, fac_file):
    before = (fac_file.read_bytes(), fac_file.stat().st_mtime_ns)
    with pytest.raises(CommandError, match=rf"{re.escape(str(fac_file))}.*--overwrite"):
        build(fac_file)
    assert (fac_file.read_bytes(), fac_file.stat().st_mtime_ns) == before


def test_overwrite_rebuilds(build, fac_file):
    build(fac_file, overwrite=True, clients=7)
    assert query(fac_file, "SELECT COUNT(*) FROM clients") == [(7,)]
    assert sorted(p.name for p in fac_file.parent.iterdir()) == [fac_file.name]


def test_summary_lines(build, tmp_path):
    out = StringIO()
    path = build(tmp_path / "fac.sqlite3", stdout=out)
    lines = out.getvalue().splitlines()
    deleted = demo.share(demo.DEFAULT_CLIENTS, demo.SOFT_DELETED_SHARE)
    assert lines[0] == f"clients\xa0: {demo.DEFAULT_CLIENTS} lignes, dont {deleted} marquées supprimées"  # in French
    assert [line.split(":")[0].rstrip("\xa0") for line in lines[:5]] == [m._meta.db_table for m in FAC_MODELS]
    assert lines[-1].endswith(str(path))


def test_too_few_clients_is_refused_before_creating_anything(build, tmp_path):
    with pytest.raises(CommandError, match="--clients"):
        build(tmp_path / "fac.sqlite3", clients=2)
    assert list(tmp_path.iterdir()) == []


def test_same_seed_same_data():
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert demo.dataset_build(seed=7, now=now) == demo.dataset_build(seed=7, now=now)
    assert demo.dataset_build(seed=7, now=now) != demo.dataset_build(seed=8, now=now)
    # Tables draw from their own generators: more clients leave the other tables unchanged.
    more = demo.dataset_build(seed=7, clients=90, now=now)
    assert more["armateurs"] == demo.dataset_build(seed=7, now=now)["armateurs"]


def test_the_read_only_facturation_alias_is_not_touched(build, tmp_path, monkeypatch):
    fac_default = fac_path_or_none()
    existed = fac_default is not None and fac_default.exists()
    for alias in ("facturation", "default"):
        monkeypatch.setattr(connections[alias], "ensure_connection", refuse(alias))
    build(tmp_path / "fac.sqlite3")  # would raise if it opened either alias
    assert fac_default is None or fac_default.exists() == existed


def test_default_path_is_the_facturation_file(build, django_db_blocker, tmp_path, monkeypatch):
    target = tmp_path / "facturation.sqlite3"
    fake = {"ENGINE": "django.db.backends.sqlite3", "NAME": f"file:{target}?mode=ro"}
    monkeypatch.setitem(settings.DATABASES, "facturation", fake)
    with django_db_blocker.unblock():
        call_command("build_demo_facturation", stdout=None)
    assert query(target, "SELECT COUNT(*) FROM armateurs")[0][0] > 0


def test_fac_sqlite_path():
    sqlite = "django.db.backends.sqlite3"
    assert fac_sqlite_path({"ENGINE": sqlite, "NAME": "file:/srv/fac.sqlite3?mode=ro"}) == Path("/srv/fac.sqlite3")
    assert fac_sqlite_path({"ENGINE": sqlite, "NAME": "/srv/fac.sqlite3"}) == Path("/srv/fac.sqlite3")
    with pytest.raises(DemoBuildError, match="--path"):
        fac_sqlite_path({"ENGINE": "django.db.backends.mysql", "NAME": "facturation"})


def fac_path_or_none() -> Path | None:
    entry = settings.DATABASES["facturation"]
    return fac_sqlite_path(entry) if entry["ENGINE"] == "django.db.backends.sqlite3" else None


def refuse(alias: str) -> Callable[[], None]:
    def ensure_connection() -> None:
        raise AssertionError(f"build_demo_facturation opened the '{alias}' connection")

    return ensure_connection


@pytest.mark.mariadb
def test_a_mysql_fac_for_a_rehearsal(django_db_blocker, monkeypatch):
    """FAC_DB_CONNECTION=mysql: the demo goes into FAC's MySQL database, as a user who may write there."""
    import MySQLdb

    from tests import backend

    database = f"test_{backend.PREFIX}_demo_fac"
    root = MySQLdb.connect(charset="utf8mb4", autocommit=True, **backend.MYSQL)
    with root.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")
        cursor.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
    fac = {
        "ENGINE": settings.DATABASES["facturation"]["ENGINE"],  # as FAC_DB_CONNECTION=mysql makes it
        "NAME": database,
        "HOST": backend.MYSQL["host"],
        "PORT": backend.MYSQL["port"],
    }
    monkeypatch.setitem(settings.DATABASES, "facturation", fac)
    monkeypatch.setenv("FAC_DB_ADMIN_PASSWORD", backend.MYSQL["password"])
    try:
        out = StringIO()
        with django_db_blocker.unblock():
            call_command("build_demo_facturation", "--user", backend.MYSQL["user"], stdout=out)
            with pytest.raises(CommandError, match=f"FAC database {database} already has rows in clients"):
                call_command("build_demo_facturation", "--user", backend.MYSQL["user"], stdout=StringIO())
            call_command("build_demo_facturation", "--user", backend.MYSQL["user"], "--overwrite", stdout=StringIO())
        assert f"Base FAC de démonstration écrite dans la base MySQL {database}" in out.getvalue()
        root.select_db(database)
        with root.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), COUNT(deleted_at) FROM clients")
            rows, deleted = cursor.fetchone()
            cursor.execute(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = %s AND table_name = 'clients' "
                "AND column_name = 'updated_at'",
                [database],
            )
            kind = cursor.fetchone()[0]
        assert rows == demo.DEFAULT_CLIENTS and deleted >= 1
        assert kind == "timestamp"  # FAC's own DDL (sql/facturation_schema.sql), as Laravel made it
    finally:
        with root.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")
        root.close()
