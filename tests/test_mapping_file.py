"""syncapp/mapping_file.py: the operator's mapping file, read or refused with one line."""

import pytest

from syncapp.mapping import fac_columns
from syncapp.mapping_file import MappingFileError, read_mapping_file

GOOD = """
# The operations application's clients table, under its own column names.
[clients]
ops_table = "tiers"
adopt = true
columns = { nom = "raison_sociale", rccm = "registre_commerce", nif = "ninea", updated_at = "updated_at" }
synced_at = "derniere_synchro"

[services]
adopt = false
"""


def read(tmp_path, text: str):
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return read_mapping_file(path, fac_columns())


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
    assert clients.columns == (
        ("id", "id"), ("nom", "raison_sociale"), ("rccm", "registre_commerce"), ("nif", "ninea"),
        ("updated_at", "updated_at"),
    )  # fmt: skip
    assert not declarations["services"].adopt and declarations["services"].columns is None
    assert set(declarations) == {"clients", "services"}  # the others keep the built-in mapping


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[factures]\nadopt = true", "[factures]: no such FAC table; the tables are clients, transitaires"),
        ("[clients]\nadopt = true\ncolumns = { raison = 'nom' }", "[clients] columns.raison: FAC table clients has no"),
        (
            "[clients]\nadopt = true\ncolumns = { rccm = 'numero', nif = 'numero' }",
            "[clients] columns.nif: OPS column 'numero' is named twice (also by columns.rccm)",
        ),
        ("[clients]\nadopt = 'oui'", "[clients] adopt: must be true or false"),
        ("[clients]\nadopt = true\nops_table = 3", "[clients] ops_table: must be a name in quotes"),
        ("[clients]\nadopt = true\ncolumns = ['nom']", "[clients] columns: must be an inline table"),
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
            "[clients] adopte: unknown key; the keys are ops_table, adopt, columns, synced_at",
        ),
        ("[clients]\nops_table = 'tiers'", "[clients] ops_table: only for an adopted table (adopt = true)"),
        ("[clients]\nadopt = true\ncolumns = { id = 'numero' }", "[clients] columns.id: id always feeds id"),
        (
            "[clients]\nadopt = true\ncolumns = { nom = 'nom' }\nsynced_at = 'nom'",
            "[clients] synced_at: OPS column 'nom' is already fed by a FAC column",
        ),
        (
            "[clients]\nadopt = true\nops_table = 'tiers'\n[transitaires]\nadopt = true\nops_table = 'tiers'",
            "ops_table: OPS table 'tiers' is fed by two FAC tables",
        ),
        ("clients = 3", "[clients]: must be a table of keys"),
        ("[clients\nadopt = true", "not valid TOML"),
    ],
)
def test_a_mistake_is_one_line_naming_the_table_and_the_key(tmp_path, text, message):
    assert message in refused(tmp_path, text)


def test_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(MappingFileError, match=r"SYNC_MAPPING_FILE .*nowhere\.toml: cannot be read"):
        read_mapping_file(tmp_path / "nowhere.toml", fac_columns())
