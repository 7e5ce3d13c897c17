"""syncapp/config/mapping_file.py: the operator's mapping file, read or refused with one line."""

from pathlib import Path

import pytest

from syncapp.config.mapping import fac_columns, mirrored_columns
from syncapp.config.mapping_file import MappingFileError, mapping_file_read

ROOT = Path(__file__).resolve().parent.parent

GOOD = """
# The operations application's clients table, under its own column names.
[clients]
ops_table = "tiers"
adopt = true
columns = { nom = "raison_sociale", rccm = "registre_commerce", nif = "ninea", updated_at = "updated_at" }
identity = ["nif", "nom"]
synced_at = "derniere_synchro"

[services]
adopt = false
"""


def read(tmp_path, text: str):
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return mapping_file_read(path, fac_columns(), mirrored_columns())


def refused(tmp_path, text: str) -> str:
    with pytest.raises(MappingFileError) as raised:
        read(tmp_path, text)
    message = str(raised.value)
    assert "\n" not in message and str(tmp_path / "mapping.toml") in message
    return message.split(": ", 1)[1]


def test_a_declared_adopted_table(tmp_path):
    declarations = read(tmp_path, GOOD)
    clients = declarations["clients"]
    assert (clients.ops_table, clients.adopt, clients.synced_at) == ("tiers", True, "derniere_synchro")
    assert clients.identity == ("nif", "nom")
    assert clients.columns == (
        ("id", "id"), ("nom", "raison_sociale"), ("rccm", "registre_commerce"), ("nif", "ninea"),
        ("updated_at", "updated_at"),
    )  # fmt: skip
    assert not declarations["services"].adopt and declarations["services"].columns is None
    assert set(declarations) == {"clients", "services"}  # the others keep the built-in mapping


ADOPT = "adopt = true\nidentity = ['nom']\n"  # what every adopted table needs besides


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Any FAC table may be declared (tests/test_declared.py asks FAC whether it exists); its name is a name.
        ("['factures;drop']\ncursor = false", "table 'factures;drop': 'factures;drop' is not a table or column name"),
        # A FAC table's name, as the review tried it: none reaches FAC's schema, nor SQL.
        ('["esc`ales"]', "table 'esc`ales': 'esc`ales' is not a table or column name"),
        ('["o\'brien"]', "table \"o'brien\": 'o'brien' is not a table or column name"),
        ('["nom#2"]', "table 'nom#2': 'nom#2' is not a table or column name"),
        ('["nom -- x"]', "table 'nom -- x': 'nom -- x' is not a table or column name"),
        ('["a\\u0000b"]', "table 'a\\x00b': 'a\\x00b' is not a table or column name"),
        (f"[{'c' * 65}]", f"table '{'c' * 65}': '{'c' * 65}' is not a table or column name"),
        ('[navires]\ncolumns = ["im`o"]', "[navires] columns.im`o: 'im`o' is not a table or column name"),
        ("[navires]\ncursor = true", "[navires] cursor: must be a FAC column's name"),
        ("[navires]\nidentity = ['nom']", "[navires] identity: only for an adopted table"),
        ("[navires]\ncolumns = 'nom'", "[navires] columns: must be a list of FAC columns"),
        ("[auth_user]\ncursor = false", "[auth_user] ops_table: 'auth_user' is a table of Django's or opsync's own"),
        ("[clients]\ncursor = false", "[clients] cursor: FAC clients has updated_at and deleted_at"),
        ("[clients]\ncolumns = ['nom']", "[clients] columns: only for an adopted table (adopt = true)"),
        ("[clients]\nadopt = true\ncolumns = { raison = 'nom' }", "[clients] columns.raison: FAC table clients has no"),
        (
            "[clients]\nadopt = true\ncolumns = { rccm = 'numero', nif = 'numero' }",
            "[clients] columns.nif: OPS column 'numero' is named twice (also by columns.rccm)",
        ),
        ("[clients]\nadopt = 'oui'", "[clients] adopt: must be true or false"),
        ("[clients]\nadopt = true\nops_table = 3", "[clients] ops_table: must be a name in quotes"),
        ("[clients]\nadopt = true\ncolumns = 3", "[clients] columns: must be a list of FAC columns"),
        (
            "[clients]\nadopt = true\nops_table = 'clients; DROP TABLE x'",
            "[clients] ops_table: 'clients; DROP TABLE x' is not",
        ),
        (
            "[clients]\nadopt = true\ncolumns = { nom = 'nom`' }",
            "[clients] columns.nom: 'nom`' is not a table or column",
        ),
        (
            "[clients]\nadopte = true",
            "[clients] adopte: unknown key; the keys are columns, cursor, deleted_at, adopt, ops_table, identity, "
            "synced_at",
        ),
        ("[clients]\nops_table = 'tiers'", "[clients] ops_table: only for an adopted table (adopt = true)"),
        ("[clients]\nadopt = true\ncolumns = { id = 'numero' }", "[clients] columns.id: id always feeds id"),
        (
            f"[clients]\n{ADOPT}columns = {{ nom = 'nom' }}\nsynced_at = 'nom'",
            "[clients] synced_at: OPS column 'nom' is already fed by a FAC column",
        ),
        (f"[clients]\n{ADOPT}synced_at = 'id'", "[clients] synced_at: OPS column 'id' is already fed"),
        (f"[clients]\n{ADOPT}synced_at = 'ville'", "[clients] synced_at: OPS column 'ville' is already fed"),
        (
            f"[clients]\n{ADOPT}ops_table = 'tiers'\n[transitaires]\n{ADOPT}ops_table = 'tiers'",
            "[transitaires] ops_table: 'tiers' cannot be fed by FAC transitaires: FAC clients feeds it already",
        ),
        # Django's and opsync's own tables, another FAC table's mirror, another database: never a target.
        (f"[clients]\n{ADOPT}ops_table = 'auth_user'", "[clients] ops_table: 'auth_user' is a table of Django's"),
        (f"[clients]\n{ADOPT}ops_table = 'django_session'", "ops_table: 'django_session' is a table of Django's"),
        (f"[clients]\n{ADOPT}ops_table = 'django_admin_log'", "ops_table: 'django_admin_log' is a table of"),
        (f"[clients]\n{ADOPT}ops_table = 'SyncApp_SyncRun'", "ops_table: 'SyncApp_SyncRun' is a table of"),
        (
            f"[transitaires]\n{ADOPT}ops_table = 'clients'",
            "[transitaires] ops_table: 'clients' cannot be fed by FAC transitaires: it is opsync's mirror of FAC "
            "clients",
        ),
        # A declared table is refused the five's mirrors, and another declared table's (the last feeder won).
        (
            "[navires]\nops_table = 'clients'",
            "[navires] ops_table: 'clients' cannot be fed by FAC navires: it is opsync's mirror of FAC clients",
        ),
        (
            "[navires]\n[escales]\nops_table = 'navires'",
            "[escales] ops_table: 'navires' cannot be fed by FAC escales: it is opsync's mirror of FAC navires",
        ),
        (
            f"[navires]\nops_table = 'tiers'\n[escales]\n{ADOPT}ops_table = 'tiers'",
            "[escales] ops_table: 'tiers' cannot be fed by FAC escales: it is opsync's mirror of FAC navires",
        ),
        (f"[clients]\n{ADOPT}ops_table = 'facturation.clients'", "ops_table: 'facturation.clients' is not a table"),
        # An adopted table says how FAC's copy of a row is recognised: nothing is guessed.
        ("[clients]\nadopt = true", "[clients] identity: missing: name the FAC columns by which FAC's copy"),
        ("[clients]\nadopt = true\nidentity = 'nom'", "[clients] identity: must be a list of FAC column names"),
        ("[clients]\nadopt = true\nidentity = []", "[clients] identity: must be a list of FAC column names"),
        ("[clients]\nadopt = true\nidentity = ['id']", "[clients] identity: 'id' cannot recognise a row"),
        ("[clients]\nadopt = true\nidentity = ['updated_at']", "identity: 'updated_at' cannot recognise a row"),
        (
            "[clients]\nadopt = true\ncolumns = { nom = 'nom' }\nidentity = ['nif']",
            "[clients] identity: 'nif' is not a mapped FAC column; the mapped ones are nom",
        ),
        ("[services]\nidentity = ['code']", "[services] identity: only for an adopted table"),
        ("clients = 3", "[clients]: must be a table of keys"),
        ("[clients\nadopt = true", "not valid TOML"),
    ],
)
def test_a_mistake_is_one_line_naming_the_table_and_the_key(tmp_path, text, message):
    assert message in refused(tmp_path, text)


def test_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(MappingFileError, match=r"SYNC_MAPPING_FILE .*nowhere\.toml: cannot be read"):
        mapping_file_read(tmp_path / "nowhere.toml", fac_columns(), mirrored_columns())


def test_the_example_file_reads_with_its_declared_table_uncommented(tmp_path):
    """deploy/mapping.example.toml as shipped, then with its navires example uncommented."""
    example = (ROOT / "deploy" / "mapping.example.toml").read_text(encoding="utf-8")
    start = example.index("# [navires]")
    uncommented = example[:start] + "\n".join(line.removeprefix("# ") for line in example[start:].splitlines())
    assert "navires" not in read(tmp_path, example)
    navires = read(tmp_path, uncommented)["navires"]
    assert navires.columns[0] == ("id", "id") and ("mise_en_service", "mise_en_service") in navires.columns
    assert (navires.cursor, navires.deleted_at, navires.adopt, navires.ops_table) == (
        "updated_at",
        "deleted_at",
        False,
        "navires",
    )


def test_a_declared_table_without_timestamps(tmp_path):
    escales = read(tmp_path, "[escales]\ncursor = false\ndeleted_at = false\n")["escales"]
    assert (escales.cursor, escales.deleted_at, escales.columns, escales.adopt) == (False, False, None, False)


@pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
def test_a_declaration_is_data_that_never_asks_fac_until_a_run_resolves_it():
    """What only FAC's schema says (its columns' kinds, the cursor's index) is known once resolved, for
    the run that resolved it; a declaration alone raises rather than read FAC behind the caller's back."""
    from django.db import connections

    from syncapp.config.mapping import Unresolved, mapping_for, tables_resolve

    fac = connections["facturation"]
    fac.close()
    declaration = mapping_for("clients")
    assert declaration.ops_table == "clients" and declaration.ops_deleted_at_declared == "deleted_at"
    for asked in ("fields", "cursor_indexed", "fac"):
        with pytest.raises(Unresolved, match="clients"):
            getattr(declaration, asked)
    assert fac.connection is None  # not opened by any of it

    (resolved,), _clock = tables_resolve(["clients"])
    assert resolved.cursor == "updated_at" and len(resolved.fields) == len(resolved.columns)
    assert resolved == declaration and declaration.resolved_schema is None  # the same table; the declaration untouched
