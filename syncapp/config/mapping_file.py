"""The operator's mapping file (SYNC_MAPPING_FILE): which FAC tables opsync mirrors, and how.

TOML, read with the standard library. Each top-level table is named after a FAC table. The
five built-in tables (declared by opsync in syncapp/config/built_in.toml, read by this same reader)
are mirrored whether the file names them or not; any other FAC table the file names is mirrored
too, with the same guarantees:

    [navires]                 # a FAC table opsync has no built-in knowledge of
    columns = ["nom", "imo", "jauge", "created_at", "updated_at"]  # omitted: every FAC column
    cursor = "updated_at"     # default where FAC has it; false: every run compares checksums
    deleted_at = "deleted_at" # default where FAC has it; false: FAC only hard-deletes

    [clients]
    ops_table = "clients"     # default: the FAC table's name
    adopt = true              # the table exists in OPS and belongs to the operations application
    columns = { nom = "nom", rccm = "registre_commerce", nif = "ninea", email = "email" }
    identity = ["nom", "nif", "email"]  # how FAC's copy of a row is recognised in OPS
    synced_at = "synced_at"   # optional: an OPS column that receives when opsync last wrote the row

`columns` is the complete list of what opsync writes: a list of FAC columns (same names in
OPS) or an inline table FAC column = "OPS column"; `id` feeds `id` always. An adopted table
must say by which mapped FAC columns FAC's copy of a row is recognised (`identity`): an OPS
row at an id FAC has is FAC's copy when one of them holds the same non-empty value on both
sides, else it is the operations application's own row.

What needs FAC (does the table exist, its key, its columns and their types) is checked by
syncapp/config/fac_tables.py when the table is first used; the rest here. Any mistake stops the
program with one line naming the file, the table and the key: nothing is guessed. Nor can the
file aim opsync at a table that is not the operations application's: Django's and opsync's own
tables, and another FAC table's mirror, are refused.
"""

import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.core.exceptions import ImproperlyConfigured

from syncapp.common.text import escaped
from syncapp.sql.names import NAME, RULE

KEYS = ("columns", "cursor", "deleted_at", "adopt", "ops_table", "identity", "synced_at")
ADOPTED_ONLY = ("identity", "synced_at")
# A MySQL identifier opsync is willing to quote: no quote, space or dot can reach SQL (so no
# table of another database either). The same rule holds for the names FAC's schema gives.
IDENTIFIER = NAME
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
    columns: tuple[tuple[str, str], ...] | None  # (FAC column, OPS column), `id` first; None: the default ones
    synced_at: str | None
    identity: tuple[str, ...] = ()  # adopted tables: the FAC columns that recognise FAC's copy of a row
    cursor: str | Literal[False] | None = None  # the FAC column runs follow; False: none; None: the default
    deleted_at: str | Literal[False] | None = None  # FAC's soft-delete column; False: none; None: the default


def mapping_file_read(
    path: Path, fac_columns: dict[str, tuple[str, ...]], mirrored: dict[str, tuple[str, ...]]
) -> dict[str, TableDeclaration]:
    """The declarations of the file, by FAC table.

    `fac_columns` says which FAC columns each table has, `mirrored` which of them the built-in
    mapping copies (what an adopted table without `columns` writes).
    """
    document = toml_read(path)
    if not document:  # emptied by mistake, the declared tables would silently stop being fed
        raise MappingFileError(
            f"SYNC_MAPPING_FILE {path}: declares no table; to declare none, leave SYNC_MAPPING_FILE empty"
        )
    declarations = {}
    for name, entry in document.items():
        declarations[name] = TableReader(path, name, fac_columns, mirrored).read(entry)
    feeder_check(path, declarations, fac_columns)
    return declarations


def built_in_read(path: Path, fac_columns: dict[str, tuple[str, ...]]) -> dict[str, TableDeclaration]:
    """The five's declarations that opsync ships (syncapp/config/built_in.toml), read as the operator's
    are: only their columns, which an operator's file may not change, are theirs to say."""
    return {
        name: TableReader(path, name, fac_columns, {}, shipped=True).read(entry)
        for name, entry in toml_read(path).items()
    }


def toml_read(path: Path) -> dict:
    """The file's TOML document; MappingFileError saying why it cannot be read."""
    try:
        with path.open("rb") as handle:
            found = os.fstat(handle.fileno())
            if not stat.S_ISREG(found.st_mode):  # /dev/zero, a pipe: they never end
                raise MappingFileError(f"SYNC_MAPPING_FILE {path}: not a file; name the mapping file (TOML)")
            data = handle.read(MAX_BYTES + 1)  # no more, even from a file that grows while it is read
        if len(data) > MAX_BYTES:  # not read whole: a mapping file is a few kilobytes
            raise MappingFileError(
                f"SYNC_MAPPING_FILE {path}: {max(found.st_size, len(data)) // 1024} KB, more than a mapping file "
                f"ever holds ({MAX_BYTES // 1024} KB at most): is it the right file?"
            )
        document = tomllib.loads(data.decode("utf-8"))
    except IsADirectoryError:
        raise MappingFileError(f"SYNC_MAPPING_FILE {path}: not a file; name the mapping file (TOML)") from None
    except OSError as exc:
        raise MappingFileError(f"SYNC_MAPPING_FILE {path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise MappingFileError(f"SYNC_MAPPING_FILE {path}: not UTF-8 text; save it as UTF-8") from None
    except RecursionError:
        raise MappingFileError(f"SYNC_MAPPING_FILE {path}: nested too deeply to be a mapping file") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingFileError(f"SYNC_MAPPING_FILE {path}: not valid TOML ({exc})") from None
    return document


def feeder_check(path: Path, declarations: dict[str, TableDeclaration], built_in) -> None:
    """Each OPS table is fed by one FAC table: a created mirror (built-in or declared) by its own.

    The built-in tables the file leaves alone come first, so that a declaration that names one of
    their mirrors (`[navires] ops_table = "clients"`) is the one refused."""
    created = {name for name in built_in if name not in declarations}
    created |= {name for name, declaration in declarations.items() if not declaration.adopt}
    feeders = [(name, name) for name in built_in if name not in declarations]
    feeders += [(name, declaration.ops_table) for name, declaration in declarations.items()]
    fed_by: dict[str, str] = {}
    for name, ops_table in feeders:
        other = fed_by.setdefault(ops_table, name)
        if other != name:
            problem = f"it is opsync's mirror of FAC {other}" if other in created else f"FAC {other} feeds it already"
            raise MappingFileError(
                f"SYNC_MAPPING_FILE {path}: [{name}] ops_table: '{ops_table}' cannot be fed by FAC {name}: {problem}"
            )


class TableReader:
    """Reads and checks one top-level table of the file."""

    def __init__(self, path: Path, name: str, fac_columns: dict[str, tuple[str, ...]], mirrored, shipped=False):
        self.path, self.name, self.fac_columns, self.mirrored = path, name, fac_columns, mirrored
        self.shipped = shipped  # opsync's own declaration of one of the five (built_in_read)

    def error(self, key: str, problem: str) -> MappingFileError:
        where = f"[{self.name}] {key}" if key else f"[{self.name}]"
        if not IDENTIFIER.fullmatch(self.name):  # the name itself is the mistake: not printed as a header
            where = f"table {self.name!r}"
        return MappingFileError(f"SYNC_MAPPING_FILE {self.path}: {where}: {problem}")

    def read(self, entry) -> TableDeclaration:
        table = self.identifier("", self.name)
        if not isinstance(entry, dict):
            raise self.error("", "must be a table of keys ([clients] then ops_table = …)")
        for key in entry:
            if key not in KEYS:
                raise self.error(key, f"unknown key; the keys are {', '.join(KEYS)}")
        adopt = entry.get("adopt", False)
        if not isinstance(adopt, bool):
            raise self.error("adopt", "must be true or false")
        built_in = table in self.fac_columns and not self.shipped
        for key in entry:
            if key in ADOPTED_ONLY and not adopt:
                raise self.error(key, "only for an adopted table (adopt = true)")
            if built_in and key in ("cursor", "deleted_at"):
                raise self.error(key, f"FAC {table} has updated_at and deleted_at: opsync follows them")
            if built_in and not adopt and key in ("ops_table", "columns"):
                raise self.error(key, "only for an adopted table (adopt = true); opsync's own mirror of a "
                                 "built-in table keeps its name and columns")  # fmt: skip
        ops_table = self.ops_table(entry.get("ops_table", table))
        columns = self.columns(entry["columns"]) if "columns" in entry else None
        cursor, deleted_at = self.optional_column(entry, "cursor"), self.optional_column(entry, "deleted_at")
        if not adopt:
            return TableDeclaration(table, ops_table, adopt, columns, None, (), cursor, deleted_at)
        pairs = columns or (tuple((column, column) for column in self.mirrored[table]) if built_in else None)
        synced_at = self.synced_at(entry["synced_at"], pairs or ()) if "synced_at" in entry else None
        if "identity" not in entry:
            raise self.error(
                "identity",
                "missing: name the FAC columns by which FAC's copy of a row is recognised in OPS, "
                'e.g. identity = ["nom", "nif", "email"]; nothing is guessed',
            )
        identity = self.identity(entry["identity"], None if pairs is None else [fac for fac, _ in pairs])
        return TableDeclaration(table, ops_table, adopt, columns, synced_at, identity, cursor, deleted_at)

    def optional_column(self, entry: dict, key: str) -> str | Literal[False] | None:
        """`cursor` or `deleted_at`: a FAC column's name, false for none, or absent (the default)."""
        if key not in entry:
            return None
        value = entry[key]
        if value is False:
            return False
        if value is True:
            raise self.error(key, f'must be a FAC column\'s name ({key} = "…") or false')
        return self.identifier(key, value)

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

    def identity(self, value, mapped: list[str] | None) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
            raise self.error("identity", 'must be a list of FAC column names: identity = ["nom", "nif"]')
        for column in value:
            if column in NOT_IDENTITY:
                raise self.error("identity", f"'{column}' cannot recognise a row (every row has one); name nom, nif…")
            if mapped is not None and column not in mapped:
                raise self.error("identity", f"'{column}' is not a mapped FAC column; the mapped ones are "
                                 f"{', '.join(c for c in mapped if c not in NOT_IDENTITY)}")  # fmt: skip
        return tuple(dict.fromkeys(value))

    def identifier(self, key: str, value) -> str:
        if not isinstance(value, str):
            raise self.error(key, "must be a name in quotes")
        if not IDENTIFIER.fullmatch(value):
            raise self.error(key, f"'{escaped(value)}' is not a table or column name ({RULE})")
        return value

    def columns(self, value) -> tuple[tuple[str, str], ...]:
        """`columns`, as (FAC column, OPS column) pairs, `id` first."""
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            value = {column: column for column in value}
        if not isinstance(value, dict):
            example = '["nom", "imo"], or an inline table: { nom = "nom", rccm = "registre_commerce" }'
            raise self.error("columns", f"must be a list of FAC columns, {example}")
        known = self.fac_columns.get(self.name)  # a declared table's columns are checked with FAC
        pairs: dict[str, str] = {"id": "id"}
        fed_by: dict[str, str] = {"id": "id"}
        for fac, ops in value.items():
            key = f"columns.{fac}"
            if known is not None and fac not in known:
                raise self.error(key, f"FAC table {self.name} has no such column; it has {', '.join(known)}")
            self.identifier(key, fac)
            ops = self.identifier(key, ops)
            if fac == "id":
                if ops != "id":
                    raise self.error(key, "id always feeds id")
                continue
            if ops in fed_by:
                raise self.error(key, f"OPS column '{ops}' is named twice (also by columns.{fed_by[ops]})")
            pairs[fac], fed_by[ops] = ops, fac
        return tuple(pairs.items())
