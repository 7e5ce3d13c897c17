"""The operator's mapping file (SYNC_MAPPING_FILE): which OPS table and columns each FAC table feeds.

TOML, read with the standard library. Each top-level table is named after a FAC table;
a FAC table the file does not name keeps the built-in mapping (syncapp/mapping.py):

    [clients]
    ops_table = "clients"     # default: the FAC table's name
    adopt = true              # the table exists in OPS and belongs to the operations application
    columns = { nom = "nom", rccm = "registre_commerce", nif = "ninea", email = "email" }
    identity = ["nom", "nif", "email"]  # how FAC's copy of a row is recognised in OPS
    synced_at = "synced_at"   # optional: an OPS column that receives when opsync last wrote the row

`columns` (FAC column = "OPS column") is the complete list of what opsync writes; `id` feeds
`id` always. An adopted table must say by which mapped FAC columns FAC's copy of a row is
recognised (`identity`): an OPS row at an id FAC has is FAC's copy when one of them holds
the same non-empty value on both sides, else it is the operations application's own row.
Any mistake stops the program with one line naming the file, the table and the key:
nothing is guessed. Nor can the file aim opsync at a table that is not the operations
application's: Django's and opsync's own tables, and another FAC table's mirror, are refused.
"""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

KEYS = ("ops_table", "adopt", "columns", "identity", "synced_at")
# A MySQL identifier opsync is willing to quote: no quote, space or dot can reach SQL (so no
# table of another database either).
IDENTIFIER = re.compile(r"[A-Za-z0-9_$]{1,64}")
MAX_BYTES = 1024 * 1024
# Tables of Django's and opsync's own (users, sessions, the admin log, the run records…).
OWN_TABLE_PREFIXES = ("auth_", "django_", "syncapp_", "adopted_", "axes_")
# Columns that cannot tell whose a row is: the id itself, and the dates every row has.
NOT_IDENTITY = ("id", "created_at", "updated_at", "deleted_at")


class MappingFileError(ImproperlyConfigured):
    """The mapping file cannot be used; the message names the file, the table and the key."""


@dataclass(frozen=True)
class TableDeclaration:
    """One FAC table as the file declares it."""

    name: str
    ops_table: str
    adopt: bool
    columns: tuple[tuple[str, str], ...] | None  # (FAC column, OPS column), `id` first; None: the built-in ones
    synced_at: str | None
    identity: tuple[str, ...] = ()  # adopted tables: the FAC columns that recognise FAC's copy of a row


def read_mapping_file(
    path: Path, fac_columns: dict[str, tuple[str, ...]], mirrored: dict[str, tuple[str, ...]]
) -> dict[str, TableDeclaration]:
    """The declarations of the file, by FAC table.

    `fac_columns` says which FAC columns each table has, `mirrored` which of them the built-in
    mapping copies (what an adopted table without `columns` writes).
    """
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # not read whole: a mapping file is a few kilobytes
            raise MappingFileError(
                f"SYNC_MAPPING_FILE {path}: {size // 1024} KB, more than a mapping file ever holds "
                f"({MAX_BYTES // 1024} KB at most): is it the right file?"
            )
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise MappingFileError(f"SYNC_MAPPING_FILE {path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise MappingFileError(f"SYNC_MAPPING_FILE {path}: not UTF-8 text; save it as UTF-8") from None
    except RecursionError:
        raise MappingFileError(f"SYNC_MAPPING_FILE {path}: nested too deeply to be a mapping file") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingFileError(f"SYNC_MAPPING_FILE {path}: not valid TOML ({exc})") from None
    declarations = {}
    for name, entry in document.items():
        declarations[name] = TableReader(path, name, fac_columns, mirrored).read(entry)
    check_one_feeder(path, declarations, fac_columns)
    return declarations


def check_one_feeder(path: Path, declarations: dict[str, TableDeclaration], fac_tables) -> None:
    """Each OPS table is fed by one FAC table: the tables not adopted keep their mirror, of their name."""
    fed_by = {name: name for name in fac_tables if name not in declarations or not declarations[name].adopt}
    for name, declaration in declarations.items():
        if not declaration.adopt:
            continue
        other = fed_by.get(declaration.ops_table)
        if other is not None and other != name:
            mirror = other in fac_tables and (other not in declarations or not declarations[other].adopt)
            problem = f"it is opsync's mirror of FAC {other}" if mirror else f"FAC {other} feeds it already"
            raise MappingFileError(
                f"SYNC_MAPPING_FILE {path}: [{name}] ops_table: '{declaration.ops_table}' cannot be fed by FAC "
                f"{name}: {problem}"
            )
        fed_by[declaration.ops_table] = name


class TableReader:
    """Reads and checks one top-level table of the file."""

    def __init__(self, path: Path, name: str, fac_columns: dict[str, tuple[str, ...]], mirrored):
        self.path, self.name, self.fac_columns, self.mirrored = path, name, fac_columns, mirrored

    def error(self, key: str, problem: str) -> MappingFileError:
        where = f"[{self.name}] {key}" if key else f"[{self.name}]"
        return MappingFileError(f"SYNC_MAPPING_FILE {self.path}: {where}: {problem}")

    def read(self, entry) -> TableDeclaration:
        if self.name not in self.fac_columns:
            raise self.error("", f"no such FAC table; the tables are {', '.join(self.fac_columns)}")
        if not isinstance(entry, dict):
            raise self.error("", "must be a table of keys ([clients] then ops_table = …)")
        for key in entry:
            if key not in KEYS:
                raise self.error(key, f"unknown key; the keys are {', '.join(KEYS)}")
        adopt = entry.get("adopt", False)
        if not isinstance(adopt, bool):
            raise self.error("adopt", "must be true or false")
        if not adopt:
            for key in ("ops_table", "columns", "identity", "synced_at"):
                if key in entry:
                    raise self.error(
                        key,
                        "only for an adopted table (adopt = true); the tables opsync creates keep the built-in mapping",
                    )
            return TableDeclaration(self.name, self.name, adopt, None, None)
        ops_table = self.ops_table(entry.get("ops_table", self.name))
        columns = self.columns(entry["columns"]) if "columns" in entry else None
        pairs = columns or tuple((column, column) for column in self.mirrored[self.name])
        synced_at = self.synced_at(entry["synced_at"], pairs) if "synced_at" in entry else None
        if "identity" not in entry:
            raise self.error(
                "identity",
                "missing: name the FAC columns by which FAC's copy of a row is recognised in OPS, "
                'e.g. identity = ["nom", "nif", "email"]; nothing is guessed',
            )
        identity = self.identity(entry["identity"], [fac for fac, _ in pairs])
        return TableDeclaration(self.name, ops_table, adopt, columns, synced_at, identity)

    def ops_table(self, value) -> str:
        ops_table = self.identifier("ops_table", value)
        if ops_table.lower().startswith(OWN_TABLE_PREFIXES):
            raise self.error(
                "ops_table", f"'{ops_table}' is a table of Django's or opsync's own, not the operations application's"
            )
        return ops_table

    def synced_at(self, value, pairs: tuple[tuple[str, str], ...]) -> str:
        synced_at = self.identifier("synced_at", value)
        if synced_at == "id" or synced_at in (ops for _, ops in pairs):
            raise self.error("synced_at", f"OPS column '{synced_at}' is already fed by a FAC column")
        return synced_at

    def identity(self, value, mapped: list[str]) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
            raise self.error("identity", 'must be a list of FAC column names: identity = ["nom", "nif"]')
        for column in value:
            if column in NOT_IDENTITY:
                raise self.error("identity", f"'{column}' cannot recognise a row (every row has one); name nom, nif…")
            if column not in mapped:
                raise self.error("identity", f"'{column}' is not a mapped FAC column; the mapped ones are "
                                 f"{', '.join(c for c in mapped if c not in NOT_IDENTITY)}")  # fmt: skip
        return tuple(dict.fromkeys(value))

    def identifier(self, key: str, value) -> str:
        if not isinstance(value, str):
            raise self.error(key, "must be a name in quotes")
        if not IDENTIFIER.fullmatch(value):
            raise self.error(key, f"'{value}' is not a table or column name (letters, digits, _ or $; 64 at most)")
        return value

    def columns(self, value) -> tuple[tuple[str, str], ...]:
        if not isinstance(value, dict):
            raise self.error("columns", 'must be an inline table: { nom = "nom", rccm = "registre_commerce" }')
        known = self.fac_columns[self.name]
        pairs: dict[str, str] = {"id": "id"}
        fed_by: dict[str, str] = {"id": "id"}
        for fac, ops in value.items():
            key = f"columns.{fac}"
            if fac not in known:
                raise self.error(key, f"FAC table {self.name} has no such column; it has {', '.join(known)}")
            ops = self.identifier(key, ops)
            if fac == "id":
                if ops != "id":
                    raise self.error(key, "id always feeds id")
                continue
            if ops in fed_by:
                raise self.error(key, f"OPS column '{ops}' is named twice (also by columns.{fed_by[ops]})")
            pairs[fac], fed_by[ops] = ops, fac
        return tuple(pairs.items())
