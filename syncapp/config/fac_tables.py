"""A FAC table as FAC's own schema describes it: its key, its columns and the kind of value each holds.

Read at start-up from information_schema (SQLite: its table_info) through the same SELECT-only
user, for every mirrored table alike: nothing about a table's columns is written in Python.
What opsync cannot mirror is refused in one line that says why: a table FAC does not have, a
key that is not one integer column named id, a column FAC does not have, a type opsync cannot
carry.

Each column's kind is a Django field, which the engine reads as "what kind of value": how a
value is written in the canonical text (syncapp/sql/canonical.py, syncapp/sql/sums.py), and in a
LOAD DATA line (syncapp/sql/load.py).
"""

import re
from dataclasses import dataclass

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.sql import server
from syncapp.sql.fields import BitField, PreciseDateTimeField
from syncapp.sql.server import BINARY_TYPES, INTEGER_TYPES, TEXT_TYPES

# SQLite's declared types, as Django and the billing application write them, to MySQL's.
SQLITE_TYPES = {"bool": "tinyint", "boolean": "tinyint", "real": "double", "numeric": "decimal"}
CARRIED = (
    "integers, DECIMAL, FLOAT, DOUBLE, CHAR, VARCHAR, TEXT, ENUM, SET, JSON, DATE, DATETIME, TIMESTAMP, "
    "TIME, YEAR, BIT, BINARY, BLOB"
)


class FacTableRefused(Exception):
    """FAC's table cannot be mirrored as declared; the message says why, in one line."""


@dataclass(frozen=True)
class FacTable:
    name: str
    columns: dict[str, dict]  # what server.column_info says of each column, in FAC's order
    kinds: dict[str, models.Field]
    indexed: frozenset[str] = frozenset()  # the columns that begin an index: a range of them is read, not scanned

    def has(self, column: str) -> bool:
        return column in self.columns


def base_type(info: dict) -> str:
    """MySQL's data type; from SQLite's declared type (`varchar(255)`, `bigint unsigned`), its first word."""
    if "column_type" in info:
        return info["data_type"]
    word = re.match(r"[a-z]*", info["data_type"]).group()
    return SQLITE_TYPES.get(word, word)


def column_kind(column: str, info: dict) -> models.Field | None:
    """The kind of value a column holds, or None when opsync cannot carry it."""
    kind = base_type(info)
    column_type = info.get("column_type") or info["data_type"]
    if kind in INTEGER_TYPES:
        return models.BooleanField() if column_type.startswith("tinyint(1)") else models.BigIntegerField()
    if kind == "year":
        return models.IntegerField()
    if kind == "decimal":
        scale = info.get("scale")
        if scale is None and (found := re.search(r"\(\s*\d+\s*,\s*(\d+)\s*\)", column_type)):
            scale = int(found.group(1))
        return models.DecimalField(max_digits=65, decimal_places=scale)
    if kind in ("float", "double"):
        return models.FloatField()
    if kind in TEXT_TYPES:
        return models.TextField()
    if kind in ("datetime", "timestamp"):
        fraction = info.get("fraction") or 0
        return PreciseDateTimeField(fraction=fraction) if fraction else models.DateTimeField()
    if kind == "date":
        return models.DateField()
    if kind == "time":
        return models.TimeField()
    if kind == "bit":
        return BitField()
    if kind in BINARY_TYPES:
        return models.BinaryField()
    return None


def fac_table(connection: BaseDatabaseWrapper, name: str) -> FacTable:
    """FAC's table as its schema says, or FacTableRefused saying why opsync cannot mirror it."""
    columns = server.column_info(connection, name)
    if columns is None:
        raise FacTableRefused("no such FAC table (or the reader may not read it)")
    key, indexed = server.keys(connection, name)
    if not key:
        raise FacTableRefused("FAC's table has no primary key; opsync needs one integer column named id")
    if len(key) > 1:
        raise FacTableRefused(f"FAC's primary key has {len(key)} columns ({', '.join(key)}); opsync needs one, id")
    if base_type(columns[key[0]]) not in INTEGER_TYPES:
        kind = columns[key[0]].get("column_type") or columns[key[0]]["data_type"]
        raise FacTableRefused(f"FAC's primary key '{key[0]}' is {kind}, not an integer; opsync needs an integer id")
    if key[0] != "id":
        raise FacTableRefused(f"FAC's primary key is named '{key[0]}'; opsync reads tables by a key named id")
    kinds = {}
    for column, info in columns.items():
        kind = column_kind(column, info)
        if kind is not None:
            kinds[column] = kind
    return FacTable(name, columns, kinds, frozenset(indexed))


def unsupported(table: FacTable, column: str) -> str:
    """Why a column cannot be mirrored: its type, and what opsync carries."""
    info = table.columns[column]
    return f"type {(info.get('column_type') or info['data_type']).upper()} cannot be carried (opsync carries {CARRIED})"
