"""FAC's names are data: whoever can change FAC's schema cannot run SQL in OPS.

Reproduced as the security review found it, on MariaDB and on SQLite: a declared table whose
`columns` is left out takes FAC's column names as they are, and one of them closed the quoted
name and went on as SQL (`migrate` built an OPS table of opsync's users' password hashes, or
dropped a mirror's column). Every name read from FAC is checked where it enters
(syncapp/config/fac_tables.py), refused in one line that names it by every command, and every
name that reaches SQL is quoted with escaping (syncapp/sql/names.py).
"""

import pytest
from django.db import connections

from syncapp.sql.names import identifier, name_sql
from tests import backend
from tests.mirror import admin_pages, migrate, sync

ON_MARIADB = backend.BACKEND == "mariadb"
pytestmark = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)

# Each one closes a quoted name on one server or the other, comments out the rest, or is too long.
HOSTILE = {
    "backtick": "x` text)SELECT id,concat(username,password)x FROM auth_user#",
    "drop": "z` text NULL, DROP COLUMN imo#",
    "double quote": 'x" text, imo2 text) --',
    "quote": "o'brien",
    "hash": "nom#2",
    "dashes": "nom -- x",
    "percent": "taux%s",
    "65 characters": "c" * 65,  # MySQL refuses it (64 at most); SQLite keeps it
}
TABLE = "escales_x"


def fac_name(name: str) -> str:
    """The test's own quoting, as the billing application's migration would write the name (`%` doubled:
    the test's writer runs statements with parameters)."""
    quoted = "`" + name.replace("`", "``") + "`" if ON_MARIADB else '"' + name.replace('"', '""') + '"'
    return quoted.replace("%", "%%")


def hostile_names() -> list:
    return [
        pytest.param(name, id=key)
        for key, name in HOSTILE.items()
        if ON_MARIADB is False or len(name) <= 64  # MariaDB cannot hold a 65-character name at all
    ]


@pytest.fixture
def escales(fac):
    """A FAC table of the billing application's, `escales_x`, with one row; dropped on both sides after."""
    fac.execute(f"DROP TABLE IF EXISTS {TABLE}")
    fac.execute(f"CREATE TABLE {TABLE} (id INTEGER NOT NULL PRIMARY KEY, nom VARCHAR(50), imo VARCHAR(10), "
                "updated_at DATETIME NULL)")  # fmt: skip
    fac.execute(f"INSERT INTO {TABLE} (id, nom, imo, updated_at) VALUES (1, 'Owendo', '9000001', NULL)")
    yield fac
    fac.execute(f"DROP TABLE IF EXISTS {TABLE}")
    with connections["default"].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def ops_tables() -> set[str]:
    with connections["default"].cursor() as cursor:
        return set(connections["default"].introspection.table_names(cursor))


def ops_columns(table: str) -> list[str]:
    connection = connections["default"]
    with connection.cursor() as cursor:
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


def mapping(settings, tmp_path, text: str, name: str = "mapping.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    settings.SYNC_MAPPING_FILE = str(path)
    return str(path)


def refused_everywhere(name: str) -> None:
    """Every command says the one line naming the column, and writes nothing: --check refuses the file
    as at start-up; a run, --force and --verify fail that table alone; --status says what they recorded."""
    said = f"FAC column '{name.replace(chr(92), chr(92) * 2)}': not a name opsync accepts"
    status, output = sync("--check")
    lines = [line for line in output.splitlines() if line.strip()]
    assert status == 1 and len(lines) == 1 and said in lines[0], output
    for arguments in ((), ("--force",), ("--verify",)):
        status, output = sync(*arguments)
        assert status == 1 and "Traceback" not in output, output
        assert any(said in line for line in output.splitlines()), output  # the table's line (--verify: and its summary)
    status, output = sync("--status")
    assert status == 2 and said in output.splitlines()[0], output


@pytest.mark.parametrize("name", hostile_names())
def test_a_hostile_fac_column_is_refused_by_every_command_and_reaches_no_sql(escales, settings, tmp_path, name):
    escales.execute(f"ALTER TABLE {TABLE} ADD COLUMN {fac_name(name)} VARCHAR(10) NULL")
    before, users = ops_tables(), auth_users()
    mapping(settings, tmp_path, f"[{TABLE}]\n")  # every FAC column: the README's own form

    status, said = migrate()
    assert status == 1 and f"No mirror for FAC {TABLE}: " in said and "not a name opsync accepts" in said, said
    assert "leave it out with columns = [...]" in said
    refused_everywhere(name)
    assert ops_tables() == before  # nothing created, least of all a table of password hashes
    assert auth_users() == users

    # Left out by `columns`, the hostile column is never named: the table is mirrored as any other.
    path = mapping(settings, tmp_path, f'[{TABLE}]\ncolumns = ["nom", "imo", "updated_at"]\n', "named.toml")
    assert migrate()[0] == 0
    assert ops_columns(TABLE) == ["id", "nom", "imo", "updated_at", "deleted_at", "synced_at"]
    for arguments in ((), ("--force",), ("--verify",), ("--check",)):
        status, output = sync(*arguments)
        assert status == 0, output
    with connections["default"].cursor() as cursor:
        cursor.execute(f"SELECT id, nom, imo FROM {TABLE}")
        assert list(cursor.fetchall()) == [(1, "Owendo", "9000001")]
    status, page = admin_pages(path, "/admin/adopted/escalesx/")["/admin/adopted/escalesx/"]
    assert status == 200 and ">Owendo<" in page


@pytest.mark.parametrize("name", hostile_names())
def test_a_hostile_column_added_to_fac_later_alters_nothing(escales, settings, tmp_path, name):
    """The mirror exists; FAC then adds the column. `migrate` (which a failed run asks for) refuses it."""
    mapping(settings, tmp_path, f"[{TABLE}]\n")
    assert migrate()[0] == 0
    assert sync()[0] == 0
    mirror = ops_columns(TABLE)
    escales.execute(f"ALTER TABLE {TABLE} ADD COLUMN {fac_name(name)} TEXT NULL")

    status, said = migrate()
    assert status == 1 and "not a name opsync accepts" in said, said
    assert ops_columns(TABLE) == mirror  # imo still there, nothing added
    refused_everywhere(name)


def auth_users() -> list[tuple]:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT id, username, password FROM auth_user ORDER BY id")
        return list(cursor.fetchall())


@pytest.mark.mariadb
def test_an_enum_member_that_reads_as_sql_stays_a_member(escales, settings, tmp_path):
    """FAC's types are written into OPS's DDL: an ENUM member holding `') NULL, x INT` stays a value."""
    member = "b') NULL, `x` INT NULL, `y` ENUM('c"
    escales.execute(f"ALTER TABLE {TABLE} ADD COLUMN etat ENUM('a', %s, 'd\\\\e') NULL", [member])
    escales.execute(f"UPDATE {TABLE} SET etat = %s", [member])
    mapping(settings, tmp_path, f"[{TABLE}]\n")
    assert migrate()[0] == 0
    assert ops_columns(TABLE) == ["id", "nom", "imo", "updated_at", "etat", "deleted_at", "synced_at"]
    assert sync()[0] == 0
    with connections["default"].cursor() as cursor:
        cursor.execute(f"SELECT etat FROM {TABLE}")
        assert list(cursor.fetchall()) == [(member,)]
    status, output = sync("--check")
    assert status == 0, output


def test_a_fac_type_that_reads_as_sql_is_refused(escales, settings, tmp_path):
    """SQLite keeps a column's declared type as written: `text) , y int --` is not a type."""
    if ON_MARIADB:
        escales.execute(f"ALTER TABLE {TABLE} ADD COLUMN etat ENUM('a\\nb') NULL")  # a control character
        shown = "enum('a\\\\nb')"
    else:
        escales.execute(f'ALTER TABLE {TABLE} ADD COLUMN etat "text) , y int --" NULL')
        shown = "text) , y int --"
    before = ops_tables()
    mapping(settings, tmp_path, f"[{TABLE}]\n")
    status, said = migrate()
    assert status == 1 and f"FAC column 'etat': its type '{shown}' is not one opsync can write in SQL" in said, said
    assert ops_tables() == before
    status, output = sync("--check")
    assert status == 1 and "is not one opsync can write in SQL" in output


@pytest.mark.parametrize("name", [*HOSTILE.values(), "ordinary"])
def test_a_name_quoted_by_opsync_is_that_name_on_either_server(name):
    """Defence in depth: the quoting itself escapes whatever a name holds (a NUL cannot be a name)."""
    connection = connections["default"]
    table = f"opsync_quoted_{len(name)}"
    quoted_table, column = identifier(connection, table), identifier(connection, name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {quoted_table}", [])
        if ON_MARIADB and len(name) > 64:
            return
        cursor.execute(f"CREATE TABLE {quoted_table} (id INTEGER, {column} INTEGER)", [])
        cursor.execute(f"INSERT INTO {quoted_table} ({column}) VALUES (%s)", [7])
        cursor.execute(f"SELECT {column} FROM {quoted_table}", [])
        assert list(cursor.fetchall()) == [(7,)]
        described = connection.introspection.get_table_description(cursor, table)
        assert [found.name for found in described] == ["id", name]
        cursor.execute(f"DROP TABLE {quoted_table}", [])
    for vendor in ("mysql", "sqlite"):
        with pytest.raises(ValueError):
            name_sql(vendor, "nom\x00; DROP TABLE clients")


def test_an_odd_column_name_of_the_applications_own_reaches_no_sql_in_the_admin(escales, settings, tmp_path):
    """An adopted table is the operations application's: the admin reads its columns' names from OPS,
    and one that would close Django's own quoting is left out of the list, which still shows the rows."""
    odd = identifier(connections["default"], 'note` x" y')
    with connections["default"].cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id INTEGER NOT NULL PRIMARY KEY, nom VARCHAR(50), imo VARCHAR(10), "
                       f"updated_at DATETIME NULL, {odd} TEXT NULL)", [])  # fmt: skip
        cursor.execute(f"INSERT INTO {TABLE} (id, nom) VALUES (1, 'Owendo')", [])
    path = mapping(settings, tmp_path, f'[{TABLE}]\nadopt = true\nidentity = ["nom"]\n')
    status, page = admin_pages(path, "/admin/adopted/escalesx/")["/admin/adopted/escalesx/"]
    assert status == 200 and ">Owendo<" in page
