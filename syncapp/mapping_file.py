"""The operator's mapping file (SYNC_MAPPING_FILE): which OPS table and columns each FAC table feeds.

TOML, read with the standard library. Each top-level table is named after a FAC table;
a FAC table the file does not name keeps the built-in mapping (syncapp/mapping.py):

    [clients]
    ops_table = "clients"     # default: the FAC table's name
    adopt = true              # the table exists in OPS and belongs to the operations application
    columns = { nom = "nom", rccm = "registre_commerce", nif = "ninea", updated_at = "updated_at" }
    synced_at = "synced_at"   # optional: an OPS column that receives when opsync last wrote the row

`columns` (FAC column = "OPS column") is the complete list of what opsync writes; `id` feeds
`id` always. Any mistake stops the program with one line naming the file, the table and the
key: nothing is guessed.
"""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

KEYS = ("ops_table", "adopt", "columns", "synced_at")
# A MySQL identifier opsync is willing to quote: no quote, space or dot can reach SQL.
IDENTIFIER = re.compile(r"[A-Za-z0-9_$]{1,64}")


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


def read_mapping_file(path: Path, fac_columns: dict[str, tuple[str, ...]]) -> dict[str, TableDeclaration]:
    """The declarations of the file, by FAC table; `fac_columns` says which FAC columns each table has."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise MappingFileError(f"SYNC_MAPPING_FILE {path}: cannot be read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingFileError(f"SYNC_MAPPING_FILE {path}: not valid TOML ({exc})") from None
    declarations = {}
    for name, entry in document.items():
        declarations[name] = TableReader(path, name, fac_columns).read(entry)
    ops_tables = [d.ops_table for d in declarations.values()]
    for name, declaration in declarations.items():
        if ops_tables.count(declaration.ops_table) > 1:
            raise MappingFileError(
                f"SYNC_MAPPING_FILE {path}: [{name}] ops_table: OPS table '{declaration.ops_table}' is fed by "
                "two FAC tables"
            )
    return declarations


class TableReader:
    """Reads and checks one top-level table of the file."""

    def __init__(self, path: Path, name: str, fac_columns: dict[str, tuple[str, ...]]):
        self.path, self.name, self.fac_columns = path, name, fac_columns

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
        ops_table = self.identifier("ops_table", entry.get("ops_table", self.name))
        synced_at = entry.get("synced_at")
        if synced_at is not None:
            synced_at = self.identifier("synced_at", synced_at)
        if not adopt:
            for key in ("ops_table", "columns", "synced_at"):
                if key in entry:
                    raise self.error(
                        key,
                        "only for an adopted table (adopt = true); the tables opsync creates keep the built-in mapping",
                    )
        columns = self.columns(entry["columns"]) if "columns" in entry else None
        if synced_at is not None and columns is not None and synced_at in (ops for _, ops in columns):
            raise self.error("synced_at", f"OPS column '{synced_at}' is already fed by a FAC column")
        return TableDeclaration(self.name, ops_table, adopt, columns, synced_at)

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
