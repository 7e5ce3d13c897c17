"""Tables opsync has no built-in knowledge of, declared in the mapping file (tests/declared.py).

On MariaDB, beside the five: `manage.py migrate` creates their mirrors from FAC's schema; every
value of every type arrives verbatim; every change converges, with --verify equal after each;
--force repairs a silent fix, the dry run writes nothing, the mass-delete guard holds; the
watcher copies a change to each; FAC's columns changing fail the table until `migrate`; and
what opsync cannot mirror is refused in one line.
"""

import socket
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal

import MySQLdb
import pytest
from django.db import connections

from syncapp.models import OpsOnlyRow, SyncState, SyncTableResult, VanishedRow
from syncapp.running.watch import WatchLoop
from tests import backend
from tests.browser import HAVE_BROWSER, HIDDEN_SIDEWAYS, IN_CI, SIZES, log_in, overflow
from tests.declared import (
    BIG_ID,
    DECLARED,
    ESCALES,
    NAVIRES,
    ZERO_DELETED_AT,
    columns_of,
    insert,
    navire,
    query,
    root,
    snapshot,
    update,
    write_mapping,
)
from tests.fac import ROOT
from tests.factories import ClientFactory, fac_now
from tests.french import agreement_errors
from tests.mirror import admin_pages, migrate, subprocess_env, sync
from tests.sessions import poll

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(databases=["default", "facturation"], transaction=True)]


@dataclass
class Declared:
    fac: MySQLdb.Connection  # root on FAC: the billing application
    ops: MySQLdb.Connection  # root on OPS: to look, never to write the mirror
    ops_database: str
    migrated: str  # what `migrate` printed

    def differences(self) -> list[str]:
        """Every way a declared mirror is not FAC: a row missing or different, a vanished row not marked."""
        found = []
        for table in DECLARED:
            columns = columns_of(self.fac, backend.FAC_TEST_DATABASE, table)
            source = snapshot(self.fac, backend.FAC_TEST_DATABASE, table, columns)
            zero = set()
            if table == "navires":
                zero = {
                    i
                    for (i,) in query(
                        self.fac, f"SELECT id FROM {table} WHERE LEFT(CAST(deleted_at AS CHAR), 4) = '0000'"
                    )
                }
            deleted_at = [name for name, _ in columns].index("deleted_at") if table == "navires" else None
            for row_id in zero:
                row = list(source[row_id])
                row[deleted_at] = ZERO_DELETED_AT
                source[row_id] = tuple(row)
            mirror = snapshot(self.ops, self.ops_database, table, columns)
            for row_id, row in source.items():
                if mirror.get(row_id) != row:
                    found.append(f"{table} #{row_id}: FAC {str(row)[:300]} != OPS {str(mirror.get(row_id))[:300]}")
            live = {
                i for (i,) in query(self.ops, f"SELECT id FROM `{self.ops_database}`.{table} WHERE deleted_at IS NULL")
            }
            found += [
                f"{table} #{i}: gone from FAC, not marked deleted" for i in (mirror.keys() - source.keys()) & live
            ]
        return found

    def converged(self) -> None:
        """A run, then nothing differs, and --verify says so too."""
        code, output = sync()
        assert code == 0, output
        assert self.differences() == []
        code, output = sync("--verify", "-v", "2")
        assert code == 0, output


@pytest.fixture
def declared(fac, settings, tmp_path):
    fac_session = root(backend.FAC_TEST_DATABASE)
    ops_database = str(connections["default"].settings_dict["NAME"])
    ops_session = root(ops_database)
    for table in DECLARED:
        query(fac_session, f"DROP TABLE IF EXISTS `{table}`")
        query(ops_session, f"DROP TABLE IF EXISTS `{table}`")
    query(fac_session, NAVIRES)
    query(fac_session, ESCALES)
    settings.SYNC_MAPPING_FILE = str(write_mapping(tmp_path))
    status, said = migrate()
    assert status == 0, said
    yield Declared(fac_session, ops_session, ops_database, said)
    for table in DECLARED:
        query(fac_session, f"DROP TABLE IF EXISTS `{table}`")
        query(ops_session, f"DROP TABLE IF EXISTS `{table}`")
    fac_session.close()
    ops_session.close()


def escale(number: int, **values) -> dict:
    return {"id": number, "port": f"Port {number}", "pays": "GA", "quai": number % 7} | values


def filled(declared: Declared) -> None:
    """Three ships (every value; NULLs everywhere; zero dates) and four ports."""
    insert(declared.fac, "navires", navire(1))
    empty = {column: None for column in navire(0) if column not in ("id", "nom")}
    insert(declared.fac, "navires", {"id": BIG_ID + 2, "nom": "", **empty})
    zero = "0000-00-00 00:00:00"
    insert(declared.fac, "navires", navire(3, mise_en_service="0000-00-00", inspecte_le=zero, arrive_le=zero,
                                           created_at=zero, deleted_at=zero))  # fmt: skip
    for number in range(1, 5):
        insert(declared.fac, "escales", escale(number))


def test_migrate_creates_each_declared_mirror_with_types_that_hold_every_value(declared):
    assert "Created OPS navires, the mirror of FAC navires." in declared.migrated
    assert "Created OPS escales, the mirror of FAC escales." in declared.migrated
    described = {
        name: (kind, nullable, key, extra)
        for name, kind, nullable, key, extra in query(
            declared.ops,
            "SELECT column_name, column_type, is_nullable, column_key, extra FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'navires'",
            [declared.ops_database],
        )
    }
    assert described["id"] == ("bigint(20) unsigned", "NO", "PRI", "")  # FAC's id, no auto-increment
    assert described["pavillon"][0] == "enum('GA','FR','LR','PA')" and described["drapeaux"][0] == "bit(8)"
    assert described["vitesse"][0] == "float" and described["tirant_eau"][0] == "decimal(6,3)"
    assert described["arrive_le"][0] == "datetime" and described["inspecte_le"][0] == "datetime(3)"
    assert described["deleted_at"][2] == "MUL" and described["synced_at"][0] == "datetime(6)"
    charset = query(declared.ops, "SELECT character_set_name FROM information_schema.columns WHERE table_schema = %s "
                    "AND table_name = 'navires' AND column_name = 'journal'", [declared.ops_database])  # fmt: skip
    assert charset == [("utf8mb4",)]
    escales = [name for name, _ in columns_of(declared.ops, declared.ops_database, "escales")]
    assert escales == ["id", "port", "pays", "quai", "deleted_at", "synced_at"]  # its own marks for hard deletes

    assert migrate() == (0, "")  # again: nothing to do, nothing said


def test_every_value_of_every_type_arrives_verbatim_and_verify_agrees(declared):
    filled(declared)
    ClientFactory.create_batch(2)  # the five go on beside them

    declared.converged()

    ops = f"`{declared.ops_database}`.navires"
    read = "SELECT CAST(vitesse AS DOUBLE), longueur, caracteristiques FROM {} WHERE id = %s"
    copied = query(declared.ops, read.format(ops), [BIG_ID + 1])[0]
    vitesse = query(declared.fac, "SELECT CAST(vitesse AS DOUBLE) FROM navires WHERE id = %s", [BIG_ID + 1])[0][0]
    assert copied == (vitesse, 0.1 + 0.2, '{"grues": 2, "reefer": true, "nom": "Ogooué"}')  # bit for bit, FAC's text
    zero_row = query(declared.ops, f"SELECT mise_en_service, inspecte_le, created_at, deleted_at FROM {ops} "
                     "WHERE id = %s", [BIG_ID + 3])[0]  # fmt: skip
    assert zero_row == (None, None, None, ZERO_DELETED_AT)  # zero dates: NULL, but a zero deleted_at is deleted
    assert query(declared.ops, f"SELECT LENGTH(plans), CHAR_LENGTH(journal) FROM {ops} WHERE id = %s",
                 [BIG_ID + 1])[0] == (70_000, 1000)  # fmt: skip


def test_every_change_converges_and_verify_agrees_after_each(declared):
    filled(declared)
    declared.converged()
    cursor = SyncState.objects.get(table="navires").cursor.replace(tzinfo=None)
    fac = declared.fac

    # A burst in the cursor's own second, and a row committed late (older than the cursor).
    insert(fac, "navires", navire(10, updated_at=cursor))
    insert(fac, "navires", navire(11, updated_at=cursor))
    update(fac, "navires", BIG_ID + 1, nom="Même seconde", updated_at=cursor)
    declared.converged()
    insert(fac, "navires", navire(12, updated_at=cursor.replace(second=0) if cursor.second else cursor))
    declared.converged()
    # A row inserted by hand: no updated_at at all.
    insert(fac, "navires", navire(13, updated_at=None))
    declared.converged()
    # An edit, a soft delete, a restore, a hard delete.
    now = fac_now()
    update(fac, "navires", BIG_ID + 10, historique="Réparé à Owendo", vitesse=14.7, updated_at=now)
    update(fac, "navires", BIG_ID + 11, deleted_at=now, updated_at=now)
    declared.converged()
    update(fac, "navires", BIG_ID + 11, deleted_at=None, updated_at=fac_now())
    query(fac, "DELETE FROM navires WHERE id = %s", [BIG_ID + 12])
    declared.converged()
    assert VanishedRow.objects.filter(table="navires", row_id=BIG_ID + 12).exists()

    # The table without timestamps: every run compares it whole, so every change shows.
    insert(fac, "escales", escale(5))
    update(fac, "escales", 2, port="Owendo", quai=None)
    query(fac, "DELETE FROM escales WHERE id = 3")
    declared.converged()
    assert query(declared.ops, f"SELECT deleted_at IS NOT NULL FROM `{declared.ops_database}`.escales WHERE id = 3")[0]
    insert(fac, "escales", escale(3, port="Port 3 rouvert"))  # FAC gives the id again: restored
    declared.converged()


def test_a_silent_fix_waits_for_force_and_force_repairs_only_it(declared):
    filled(declared)
    insert(declared.fac, "navires", navire(9, updated_at=fac_now()))  # the cursor: now, a month after the others
    declared.converged()
    query(declared.fac, "UPDATE navires SET imo = '7654321' WHERE id = %s", [BIG_ID + 1])  # updated_at untouched

    code, output = sync()
    assert code == 0, output
    assert declared.differences() != []  # nothing told the incremental run
    code, output = sync("--verify")
    assert code == 1 and "navires" in output

    code, output = sync("--force", "--table", "navires")
    assert code == 0, output
    assert declared.differences() == []
    assert sync("--verify")[0] == 0


def mirrors(declared: Declared) -> dict:
    """Both mirrors whole, their own columns (deleted_at, synced_at) included."""
    database = declared.ops_database
    return {
        table: snapshot(declared.ops, database, table, columns_of(declared.ops, database, table)) for table in DECLARED
    }


def test_the_dry_run_writes_nothing(declared):
    filled(declared)
    declared.converged()
    before = mirrors(declared)
    states = list(SyncState.objects.values_list("table", "cursor", "retry_ids"))
    insert(declared.fac, "navires", navire(20, updated_at=fac_now()))
    insert(declared.fac, "escales", escale(20))
    query(declared.fac, "DELETE FROM escales WHERE id = 1")

    code, output = sync("--dry-run")

    assert code == 0, output
    assert mirrors(declared) == before
    assert list(SyncState.objects.values_list("table", "cursor", "retry_ids")) == states
    assert declared.differences() != []


def test_the_mass_delete_guard_holds_on_a_declared_table(declared, settings):
    for number in range(1, 41):
        insert(declared.fac, "escales", escale(number))
    declared.converged()
    query(declared.fac, "DELETE FROM escales")

    code, output = sync("--table", "escales")
    assert code == 1 and "escales" in output
    live = f"SELECT COUNT(*) FROM `{declared.ops_database}`.escales WHERE deleted_at IS NULL"
    assert query(declared.ops, live)[0][0] == 40

    assert sync("--table", "escales", "--allow-mass-delete")[0] == 0
    assert query(declared.ops, live)[0][0] == 0


def test_the_watcher_copies_a_change_to_each(declared):
    filled(declared)
    loop = WatchLoop(["navires", "escales"], interval=0.1, full_every=3600, say=lambda line: None)
    loop.poll()  # its start: a run of each
    assert declared.differences() == []

    insert(declared.fac, "navires", navire(30, updated_at=fac_now()))
    insert(declared.fac, "escales", escale(30))

    def arrived() -> bool:
        loop.poll()
        return not declared.differences()

    poll(arrived, "the watcher to copy both new rows", seconds=30, explain=lambda: str(declared.differences()))


def test_check_and_status_name_the_declared_tables(declared):
    filled(declared)
    code, output = sync("--check")
    assert code == 0, output
    declared.converged()
    code, output = sync("--status")
    assert code == 0, output
    first = output.splitlines()[0]
    assert "navires" in first.split("|")[1] and "escales" in first.split("|")[1]  # in the perfdata
    assert "navires" in output.split("\n", 1)[1]


def test_fac_columns_changing_fail_the_table_until_migrate_brings_the_mirror_in_line(declared):
    filled(declared)
    declared.converged()
    query(declared.fac, "ALTER TABLE navires ADD COLUMN escale_habituelle VARCHAR(80) NULL, "
          "MODIFY COLUMN imo VARCHAR(20) NULL")  # fmt: skip
    update(declared.fac, "navires", BIG_ID + 1, imo="IMO 9000001-XL", escale_habituelle="Owendo", updated_at=fac_now())

    code, output = sync("--check")
    assert code == 1
    problems = [line for line in output.splitlines() if "navires" in line and ("imo" in line or "escale_h" in line)]
    assert len(problems) == 2, output  # one line per column

    code, output = sync()
    assert code == 1 and "manage.py migrate" in output
    assert (
        query(declared.ops, f"SELECT COUNT(*) FROM `{declared.ops_database}`.escales")[0][0] == 4
    )  # the others went on

    status, said = migrate()
    assert status == 0 and "OPS navires brought in line with FAC navires: imo, escale_habituelle." in said, said
    declared.converged()


@pytest.mark.parametrize(
    ("ddl", "mapping", "refusal"),
    [
        ("CREATE TABLE taxes (code VARCHAR(10), taux DECIMAL(5,2))", "[taxes]", "[taxes]: FAC's table has no primary"),
        ("CREATE TABLE taxes (a INT, b INT, PRIMARY KEY (a, b))", "[taxes]", "[taxes]: FAC's primary key has 2"),
        ("CREATE TABLE taxes (code VARCHAR(10) PRIMARY KEY)", "[taxes]", "key 'code' is varchar(10), not an integer"),
        ("CREATE TABLE taxes (id INT PRIMARY KEY, zone POINT)", "[taxes]", "'zone': type POINT cannot be carried"),
        ("CREATE TABLE taxes (id INT PRIMARY KEY, taux INT)", "[taxes]\ncolumns = ['montant']",
         "[taxes] columns.montant: FAC table taxes has no such column; it has id, taux"),
        ("CREATE TABLE taxes (id INT PRIMARY KEY, taux INT)", "[devises]", "[devises]: no such FAC table"),
        ("CREATE TABLE taxes (id INT PRIMARY KEY, taux INT)", "[taxes]\ncursor = 'modifie_le'",
         "[taxes] cursor: FAC table taxes has no column 'modifie_le'"),
    ],
)  # fmt: skip
def test_what_opsync_cannot_mirror_is_refused_in_one_line(fac, settings, tmp_path, ddl, mapping, refusal):
    session = root(backend.FAC_TEST_DATABASE)
    query(session, "DROP TABLE IF EXISTS taxes")
    query(session, ddl)
    settings.SYNC_MAPPING_FILE = str(write_mapping(tmp_path, mapping))
    try:
        code, output = sync("--check")  # reads FAC's schema: refuses the whole file, as at start-up
        lines = [line for line in output.splitlines() if line.strip()]
        assert code == 1 and len(lines) == 1 and refusal in lines[0] and "configuration error" in lines[0], output
        # With LANGUAGE_CODE=fr the same line: one prefix and one language, as manage.py's own (not
        # « erreur de configuration : » before an English explanation).
        assert sync("--check", language="fr")[1].startswith("opsync: configuration error: ")
        # A run fails that table alone, in one line of its own and in its record; the others go on.
        code, output = sync()
        assert code == 1 and "Traceback" not in output, output
        name = mapping.split("]")[0][1:]
        said = [line for line in output.splitlines() if line.startswith("Run #") and f" partial: {name}: " in line]
        assert len(said) == 1, output  # FAC's reason in the run's own line (a column gone: the drift a run finds)
        assert all(SyncState.objects.get(table=table).last_success_at for table in ("clients", "services"))
        # --status reads OPS only: what the run recorded says it.
        code, output = sync("--status")
        first = output.splitlines()[0]
        assert code == 2 and first.startswith("OPSYNC CRITICAL - ") and said[0].split(f"{name}: ", 1)[1] in first, (
            output
        )
    finally:
        query(session, "DROP TABLE IF EXISTS taxes")
        session.close()


def test_a_mirror_the_server_cannot_make_is_one_line_in_words(fac, settings, tmp_path):
    """MariaDB refuses the mirror (FAC's row, with the mirror's own deleted_at and synced_at, is too wide):
    migrate says why in words, not as a raw record, and exits 1."""
    session = root(backend.FAC_TEST_DATABASE)
    query(session, "CREATE TABLE larges (id INT PRIMARY KEY, texte VARCHAR(65520) CHARACTER SET latin1)")
    settings.SYNC_MAPPING_FILE = str(write_mapping(tmp_path, "[larges]\n"))
    try:
        status, said = migrate()
        assert status == 1 and said.startswith("opsync: No mirror for FAC larges: "), said
        assert "Row size too large" in said, said
        assert "{" not in said and said.count("\n") == 1
    finally:
        query(session, "DROP TABLE IF EXISTS larges")
        session.close()


def test_the_admin_lists_each_declared_table_read_only(declared, settings):
    """In a process started with the mapping file, as the web server would be."""
    filled(declared)
    declared.converged()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT MIN(id) FROM navires")
        first = cursor.fetchone()[0]
    pages = admin_pages(
        settings.SYNC_MAPPING_FILE,
        "/admin/adopted/navires/",
        "/admin/adopted/navires/?q=9000003",
        "/admin/adopted/navires/?deleted=yes",
        "/admin/adopted/escales/",
        "/admin/adopted/navires/add/",
        "/admin/",
        f"/admin/adopted/navires/{first}/change/",
    )
    status, page = pages["/admin/adopted/navires/"]
    assert status == 200 and ">Navire 1 Ogooué<" in page and ">Navire 3 Ogooué<" in page
    status, page = pages["/admin/adopted/navires/?q=9000003"]
    assert status == 200 and "Navire 3" in page and ">Navire 1 Ogooué<" not in page
    status, page = pages["/admin/adopted/navires/?deleted=yes"]
    assert status == 200 and "Navire 3" in page and ">Navire 1 Ogooué<" not in page  # its zero deleted_at: deleted
    status, page = pages["/admin/adopted/escales/"]
    assert status == 200 and "Port 4" in page
    assert pages["/admin/adopted/navires/add/"][0] == 403  # read-only: the sync owns the mirror
    assert "/admin/adopted/navires/" in pages["/admin/"][1]
    # Columns named in words, as the five's: not `Mise_en_service`, `Created_at`; `Id FAC` as theirs.
    status, page = pages[f"/admin/adopted/navires/{first}/change/"]
    assert status == 200 and "Mise en service" in page and "Created at" in page and "Id FAC" in page, page
    assert "Row of the table “navires”" in page and "View row of navires" not in page
    assert "Mise_en_service" not in page and "Created_at" not in page


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(not HAVE_BROWSER and not IN_CI, reason="needs chromium and chromium-driver (apt)")
def test_the_declared_lists_fit_a_desk_and_a_phone_in_french(declared, settings, browser, screenshots):
    """In Chromium, against a web server started with the mapping file (as gunicorn would be)."""
    from selenium.webdriver.common.by import By

    filled(declared)
    declared.converged()
    port = free_port()
    env = subprocess_env(SYNC_MAPPING_FILE=settings.SYNC_MAPPING_FILE, LANGUAGE_CODE="fr", DEBUG="true")
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        poll(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, "the web server to listen")
        log_in(browser, url)
        pages = {
            "navires": "/admin/adopted/navires/",
            "navires-deleted": "/admin/adopted/navires/?deleted=yes",
            "navire": f"/admin/adopted/navires/{BIG_ID + 1}/change/",
            "escales": "/admin/adopted/escales/",
            "dashboard-declared": "/admin/syncapp/dashboard/",
        }
        for theme, (width, height) in ((theme, size) for theme in ("light", "dark") for size in SIZES.values()):
            browser.execute_script("localStorage.setItem('theme', arguments[0])", theme)
            browser.set_window_size(width, height)
            for name, path in pages.items():
                browser.get(url + path)
                browser.save_screenshot(str(screenshots / f"{name}-{width}-{theme}.png"))
                where = f"{name} at {width} px, {theme}"
                assert overflow(browser) <= 0, f"{where}: wider than the window"
                assert browser.execute_script(HIDDEN_SIDEWAYS) == [], where
                text = browser.find_element(By.ID, "content").text
                assert "navires" in text or "Navire" in text or "escales" in text, where
                assert agreement_errors(text) == [], f"{where}: {text}"
                assert not browser.find_elements(By.CSS_SELECTOR, "input[type=submit][name=_save]"), where
    finally:
        server.terminate()
        server.wait(timeout=30)


ADOPTED_MAPPING = """
# FAC's escales feed the operations application's own table of ports, under its column names.
[escales]
adopt = true
ops_table = "ports_escale"
columns = { port = "nom_port", pays = "code_pays" }
identity = ["port"]
cursor = false
deleted_at = false
"""
PORTS = """
CREATE TABLE ports_escale (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  nom_port VARCHAR(100) NOT NULL,
  code_pays CHAR(2) NOT NULL,
  tirant_max DECIMAL(4,1) NOT NULL DEFAULT 12.0,
  escale_id INT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
"""


def test_an_adopted_declared_table_behaves_as_the_adopted_five(fac, settings, tmp_path):
    """identity decides whose each row is; the application's own rows are never written, a FAC row
    at their id collides until --renumber-ops-only moves them; the application's columns stay its own."""
    fac_session = root(backend.FAC_TEST_DATABASE)
    ops_database = str(connections["default"].settings_dict["NAME"])
    ops = root(ops_database)
    for session, table in ((fac_session, "escales"), (ops, "ports_escale")):
        query(session, f"DROP TABLE IF EXISTS `{table}`")
    query(fac_session, ESCALES)
    query(ops, PORTS)
    try:
        for number in (1, 2, 3):
            insert(fac_session, "escales", escale(number, port=f"Port {number}"))
        query(ops, "INSERT INTO ports_escale VALUES (1, 'port 1', 'GA', 9.5, NULL)")  # FAC's copy, re-cased
        query(ops, "INSERT INTO ports_escale VALUES (2, 'Quai interne', 'GA', 4.0, NULL)")  # the application's own
        query(ops, "INSERT INTO ports_escale VALUES (50, 'Dépôt Owendo', 'GA', 6.0, NULL)")  # its own, no FAC id
        settings.SYNC_MAPPING_FILE = str(write_mapping(tmp_path, ADOPTED_MAPPING))

        code, output = sync("--table", "escales")

        assert code == 1 and "collision: FAC escales #2 has the id of the OPS-only row ports_escale #2" in output
        ports = "SELECT id, nom_port, tirant_max FROM ports_escale ORDER BY id"
        assert query(ops, ports) == [(1, "Port 1", Decimal("9.5")), (2, "Quai interne", Decimal("4.0")),
                                     (3, "Port 3", Decimal("12.0")), (50, "Dépôt Owendo", Decimal("6.0"))]  # fmt: skip
        assert set(OpsOnlyRow.objects.filter(table="escales").values_list("row_id", "collides")) == {
            (2, True),
            (50, False),
        }

        code, output = sync("--renumber-ops-only", "escales")
        assert code == 0, output
        code, output = sync("--table", "escales")
        assert code == 0, output
        assert query(ops, "SELECT nom_port FROM ports_escale WHERE id = 2") == [("Port 2",)]
        assert query(ops, "SELECT COUNT(*) FROM ports_escale WHERE nom_port = 'Quai interne' AND id > 1000000000")
        assert sync("--verify", "--table", "escales")[0] == 0
    finally:
        query(fac_session, "DROP TABLE IF EXISTS escales")
        query(ops, "DROP TABLE IF EXISTS ports_escale")
        fac_session.close()
        ops.close()


def test_a_built_in_mirror_follows_a_widened_fac_column_after_migrate_as_a_declared_one_does(fac):
    """The five's mirrors evolve by the same path as a declared one's: FAC's clients.nom widened to 600
    characters, --check says the mirror cannot hold it as it says for a declared table, `migrate` gives
    the mirror FAC's type, and the next run copies a 500-character name."""
    from tests.fac import create_mariadb_fac

    ops_database = str(connections["default"].settings_dict["NAME"])
    ops = root(ops_database)
    fac.execute("ALTER TABLE clients MODIFY nom VARCHAR(600) NOT NULL")
    try:
        long_name = "Société des Transports Maritimes de l'Estuaire " * 10  # 500 characters
        ClientFactory(nom=long_name[:500])
        code, output = sync("--check")
        assert code == 1 and "OPS clients.nom (varchar(255)) cannot hold FAC clients.nom (varchar(600))" in output

        status, said = migrate()
        assert status == 0 and "OPS clients brought in line with FAC clients: nom." in said, said
        code, output = sync()
        assert code == 0, output
        stored = query(ops, f"SELECT nom FROM `{ops_database}`.clients")
        assert stored == [(long_name[:500],)]
        assert sync("--verify")[0] == 0
    finally:
        query(ops, f"DELETE FROM `{ops_database}`.clients")
        query(ops, f"ALTER TABLE `{ops_database}`.clients MODIFY nom VARCHAR(255) NOT NULL")
        ops.close()
        connections["facturation"].close()
        create_mariadb_fac()


def test_a_column_added_to_fac_shows_in_check_the_same_way_for_a_built_in_table_and_a_declared_one(
    declared, settings, tmp_path
):
    """The five are declarations like any other: one that lists its columns (the five's default
    declarations, navires here) does not copy a column FAC adds, and --check says the same of both;
    one that takes every FAC column (navires by default) needs its mirror to follow, by migrate."""
    from tests.fac import create_mariadb_fac

    query(declared.fac, "ALTER TABLE clients ADD COLUMN remise DECIMAL(5, 2) NULL")
    query(declared.fac, "ALTER TABLE navires ADD COLUMN remise DECIMAL(5, 2) NULL")
    listed = '[navires]\ncolumns = ["nom", "imo", "created_at", "updated_at", "deleted_at"]\n'
    try:
        (tmp_path / "listed.toml").write_text(listed, encoding="utf-8")
        settings.SYNC_MAPPING_FILE = str(tmp_path / "listed.toml")
        code, output = sync("--check", "--table", "clients", "--table", "navires")
        lines = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in output.splitlines() if ": " in line}
        assert code == 0 and "remise" not in output, output
        assert lines["clients"].replace("clients", "T") == lines["navires"].replace("navires", "T")

        settings.SYNC_MAPPING_FILE = str(write_mapping(tmp_path))  # navires: every FAC column
        code, output = sync("--check", "--table", "navires")
        assert code == 1 and "OPS navires.remise is missing (fed by FAC navires.remise)" in output
        assert migrate()[0] == 0
        assert sync("--check", "--table", "navires")[0] == 0
    finally:
        connections["facturation"].close()
        create_mariadb_fac()


def test_before_migrate_a_value_the_mirror_cannot_hold_is_refused_row_by_row_for_a_declared_table_as_for_clients(
    declared,
):
    """FAC widened navires.nom and clients.nom: until `migrate`, the longer names are refused one by
    one and every other row is written, on the same path for both tables (tests/test_bulk.py)."""
    from tests.fac import create_mariadb_fac

    query(declared.fac, "ALTER TABLE navires MODIFY nom VARCHAR(600) NOT NULL")
    query(declared.fac, "ALTER TABLE clients MODIFY nom VARCHAR(600) NOT NULL")
    ship, long_named = navire(1), navire(2, nom="N" * 300)
    insert(declared.fac, "navires", ship)
    insert(declared.fac, "navires", long_named)
    good, bad = ClientFactory(), ClientFactory(nom="N" * 300)
    try:
        code, output = sync("--table", "clients", "--table", "navires")

        assert code == 1, output
        for table, written, refused in (("navires", ship["id"], long_named["id"]), ("clients", good["id"], bad["id"])):
            result = SyncTableResult.objects.filter(table=table).latest("pk")
            assert result.inserted == 1 and [e["id"] for e in result.row_errors] == [refused], table
            assert query(declared.ops, f"SELECT id FROM {table}") == [(written,)]
    finally:
        query(declared.ops, "DELETE FROM clients")
        connections["facturation"].close()
        create_mariadb_fac()
