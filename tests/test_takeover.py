"""A declared table cannot take over a table of the operations application's.

Reproduced as the security review found it: OPS and FAC are both Laravel applications, both
have `users`. `[users] columns = ["name", "email", "password"]` without `adopt` made `migrate`
alter OPS's `users`, and the next run gave OPS's administrator FAC's user's name, e-mail and
password hash. Now opsync creates, alters and feeds without `adopt` only the tables it created
itself (OwnedTable), and says of any other, in one line, to adopt it.

On MariaDB both `users` tables are built by Laravel's own Schema builder and Eloquent
(tests/laravel/ops.php); on SQLite, by the same columns in SQL.
"""

import pytest
from django.db import connections

from syncapp.config.mapping import BUILT_IN_NAMES
from syncapp.models import OwnedTable, SyncTableResult
from tests import backend
from tests.laravel_app import artisan, require_laravel
from tests.mirror import admin_pages, migrate, sync

ON_MARIADB = backend.BACKEND == "mariadb"
pytestmark = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)

USERS_SQLITE = """CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name varchar(255) NOT NULL,
email varchar(255) NOT NULL UNIQUE, email_verified_at datetime NULL, password varchar(255) NOT NULL,
remember_token varchar(100) NULL, created_at datetime NULL, updated_at datetime NULL)"""
NOT_OWNED = "OPS users was not created by opsync: it is the operations application's table; to feed it, adopt it"


def ops_execute(sql: str, params=()) -> list[tuple]:
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []


def ops_columns(table: str) -> list[str]:
    connection = connections["default"]
    with connection.cursor() as cursor:
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


def application_users(fac, *names: str) -> None:
    """The operations application's users in OPS (admin first), and the billing application's in FAC."""
    if ON_MARIADB:
        require_laravel()
        artisan(str(connections["default"].settings_dict["NAME"]), "users", *names)
        artisan(backend.FAC_TEST_DATABASE, "users", "facturier")
        return
    ops_execute(USERS_SQLITE)
    for name in names:
        ops_execute("INSERT INTO users (name, email, password) VALUES (%s, %s, %s)",
                    [name, f"{name}@example.ga", f"$2y$10$hash-of-{name}"])  # fmt: skip
    fac.execute(USERS_SQLITE)
    fac.execute("INSERT INTO users (name, email, password) VALUES ('facturier', 'f@example.ga', '$2y$10$fac')")


@pytest.fixture
def users(fac):
    """Both applications' `users`; dropped after."""
    yield fac
    fac.execute("DROP TABLE IF EXISTS users")
    ops_execute("DROP TABLE IF EXISTS users")


def declared_owned():
    """The records of the mirrors opsync made besides the five's."""
    return OwnedTable.objects.exclude(ops_table__in=BUILT_IN_NAMES).values_list("ops_table", "fac_table")


def mapping(settings, tmp_path, text: str, name: str = "mapping.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    settings.SYNC_MAPPING_FILE = str(path)
    return str(path)


def test_a_declared_table_never_takes_over_the_applications_own(users, settings, tmp_path):
    application_users(users, "admin", "chef")
    before, columns = ops_execute("SELECT * FROM users ORDER BY id"), ops_columns("users")
    path = mapping(settings, tmp_path, '[users]\ncolumns = ["name", "email", "password"]\n')

    status, output = sync("--check")
    assert status == 1 and f"users: {NOT_OWNED}" in output, output
    status, said = migrate()
    assert status == 1 and "OPS already has “users”, a table opsync did not create" in said, said
    assert "nothing was created. Adopt it in the mapping file" in said and said.count("\n") == 1, said
    for arguments in ((), ("--force",), ("--verify",), ("--table", "users")):
        status, output = sync(*arguments)
        assert status == 1 and NOT_OWNED in output, output
        assert "Traceback" not in output
    assert ops_columns("users") == columns  # not altered: no synced_at, no deleted_at
    assert ops_execute("SELECT * FROM users ORDER BY id") == before  # the administrator is still the administrator
    assert not OwnedTable.objects.filter(ops_table="users").exists()

    pages = admin_pages(path, "/admin/adopted/users/", "/admin/")
    assert pages["/admin/adopted/users/"][0] == 404  # its password hashes are not shown as a mirror either
    assert "/admin/adopted/users/" not in pages["/admin/"][1]


def test_migrate_records_the_mirrors_it_creates_and_feeds_no_other(users, settings, tmp_path):
    users.execute("CREATE TABLE navires (id INTEGER NOT NULL PRIMARY KEY, nom VARCHAR(50), updated_at DATETIME NULL)")
    users.execute("INSERT INTO navires (id, nom) VALUES (1, 'Ogooué')")
    try:
        mapping(settings, tmp_path, "[navires]\n")
        assert migrate()[0] == 0
        assert list(declared_owned()) == [("navires", "navires")]
        assert sync()[0] == 0

        # Another FAC table may not feed it later either, once navires is no longer declared.
        mapping(settings, tmp_path, "[escales]\nops_table = 'navires'\n", "other.toml")
        users.execute("CREATE TABLE escales (id INTEGER NOT NULL PRIMARY KEY, nom VARCHAR(50))")
        status, output = sync("--table", "escales")
        assert status == 1 and "OPS navires is opsync's mirror of FAC navires: FAC escales cannot feed it" in output
        assert ops_execute("SELECT id, nom FROM navires") == [(1, "Ogooué")]
    finally:
        users.execute("DROP TABLE IF EXISTS escales")
        users.execute("DROP TABLE IF EXISTS navires")
        ops_execute("DROP TABLE IF EXISTS navires")


def test_an_upgrade_hands_over_the_mirrors_an_earlier_opsync_made_and_copies_nothing_again(users, settings, tmp_path):
    """Migration 0009 records the declared mirrors made before the record existed, and no other table."""
    application_users(users, "admin")
    users.execute("CREATE TABLE navires (id INTEGER NOT NULL PRIMARY KEY, nom VARCHAR(50), updated_at DATETIME NULL)")
    users.execute("INSERT INTO navires (id, nom) VALUES (1, 'Ogooué'), (2, 'Nyanga')")
    try:
        mapping(settings, tmp_path, "[navires]\n")
        assert migrate()[0] == 0
        assert sync()[0] == 0
        assert migrate("syncapp", "0008")[0] == 0  # opsync as it was

        assert migrate()[0] == 0  # the upgrade
        assert list(declared_owned()) == [("navires", None)]
        status, output = sync("--force")
        assert status == 0, output
        last = SyncTableResult.objects.filter(table="navires").latest("pk")
        assert (last.inserted, last.updated, last.unchanged) == (0, 0, 2)  # nothing copied again
    finally:
        users.execute("DROP TABLE IF EXISTS navires")
        ops_execute("DROP TABLE IF EXISTS navires")
