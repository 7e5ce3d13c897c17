"""A FAC table as FAC's own schema describes it: its key, its columns and the kind of value each holds.

Read at start-up from information_schema (SQLite: its table_info) through the same SELECT-only
user, for every mirrored table alike: nothing about a table's columns is written in Python.
What opsync cannot mirror is refused in one line that says why: a table FAC does not have, a
key that is not one integer column named id, a column FAC does not have, a type opsync cannot
carry.

FAC is another team's database: this is where its schema enters opsync, and where it is
checked. A column whose name the mapping file's own rule would refuse (a backtick, a quote, a
space, `#`, `--`, more than 64 characters…), or whose type is not written as MySQL writes a
type (an ENUM member with a backslash or a control character), is set aside in `refused`:
nothing else reads its name or its type, so neither can reach a statement or a terminal.

Each column's kind is a Django field, which the engine reads as "what kind of value": how a
value is written in the canonical text (syncapp/sql/canonical.py, syncapp/sql/sums.py), and in a
LOAD DATA line (syncapp/sql/load.py).
"""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, models
from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.common.text import escaped
from syncapp.config.databases import error_code
from syncapp.sql import server
from syncapp.sql.fields import BitField, PreciseDateTimeField
from syncapp.sql.names import NAME, RULE
from syncapp.sql.server import BINARY_TYPES, INTEGER_TYPES, TEXT_TYPES

logger = logging.getLogger("opsync.sync")

# SQLite's declared types, as Django and the billing application write them, to MySQL's.
SQLITE_TYPES = {"bool": "tinyint", "boolean": "tinyint", "real": "double", "numeric": "decimal"}
CARRIED = (
    "integers, DECIMAL, FLOAT, DOUBLE, CHAR, VARCHAR, TEXT, ENUM, SET, JSON, DATE, DATETIME, TIMESTAMP, "
    "TIME, YEAR, BIT, BINARY, BLOB"
)


class FacTableRefused(Exception):
    """FAC's table cannot be mirrored as declared; the message says why, in one line. `missing`: FAC has
    no such table (a drift a run reports as such)."""

    def __init__(self, problem: str, *, missing: bool = False):
        super().__init__(problem)
        self.missing = missing


# A type as MySQL's information_schema writes it (`int(10) unsigned`, `decimal(15,2)`, `varchar(255)`),
# or an ENUM or SET whose members hold no control character, their quotes and backslashes doubled.
MEMBER = r"'(?:[^'\\\x00-\x1f\x7f]|''|\\\\)*'"
MYSQL_TYPE = re.compile(rf"[a-z]+(\(\d+(,\d+)?\))?( unsigned)?( zerofill)?|(enum|set)\({MEMBER}(,{MEMBER})*\)")
# A type as SQLite keeps it, the declared one: words, then perhaps one or two numbers in brackets.
SQLITE_TYPE = re.compile(r"[a-z]+( [a-z]+)*( ?\( ?\d+ ?(, ?\d+ ?)?\))?( [a-z]+)*")
CHARSET = re.compile(r"[A-Za-z0-9_]*")


@dataclass(frozen=True)
class FacTable:
    name: str
    columns: dict[str, dict]  # what server.column_info says of each column opsync may name, in FAC's order
    kinds: dict[str, models.Field]
    indexed: frozenset[str] = frozenset()  # the columns that begin an index: a range of them is read, not scanned
    refused: dict[str, str] = field(default_factory=dict)  # FAC's other columns: why opsync will not name them

    def has(self, column: str) -> bool:
        return column in self.columns or column in self.refused


def shown(name: str) -> str:
    """A name from FAC's schema in a message: quoted, its control characters escaped."""
    return f"'{escaped(name)}'"


def column_refusal(column: str, info: dict) -> str | None:
    """Why opsync will not name a FAC column in SQL (its name, or its type as FAC describes it), or None."""
    if not NAME.fullmatch(column):
        return f"FAC column {shown(column)}: not a name opsync accepts ({RULE})"
    if "column_type" in info:  # MySQL
        safe = bool(MYSQL_TYPE.fullmatch(info["column_type"]) and NAME.fullmatch(info["data_type"]))
        safe = safe and all(CHARSET.fullmatch(info.get(key) or "") for key in ("charset", "collation"))
    else:
        safe = bool(SQLITE_TYPE.fullmatch(info["data_type"])) or info["data_type"] == ""
    if not safe:
        kind = info.get("column_type") or info["data_type"]
        return f"FAC column {shown(column)}: its type {shown(kind)} is not one opsync can write in SQL"
    return None


def base_type(info: dict) -> str:
    """MySQL's data type; from SQLite's declared type (`varchar(255)`, `bigint unsigned`), its first word."""
    if "column_type" in info:
        return info["data_type"]
    word = re.split(r"[^a-z]", info["data_type"], maxsplit=1)[0]
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


def columns_checked(columns: dict[str, dict]) -> tuple[dict[str, dict], dict[str, str]]:
    """FAC's columns split: those opsync may name, and why each other one may not be."""
    refused = {column: why for column, info in columns.items() if (why := column_refusal(column, info))}
    return {column: info for column, info in columns.items() if column not in refused}, refused


def fac_columns(connection: BaseDatabaseWrapper, name: str) -> tuple[dict[str, dict], dict[str, str]] | None:
    """A FAC table's columns as columns_checked splits them, or None when FAC has no such table."""
    columns = server.column_info(connection, name)
    return None if columns is None else columns_checked(columns)


def fac_table(connection: BaseDatabaseWrapper, name: str) -> FacTable:
    """FAC's table as its schema says, or FacTableRefused saying why opsync cannot mirror it."""
    found = fac_tables_read(connection, [name])[0][name]
    if isinstance(found, FacTableRefused):
        raise found
    return found


def fac_tables_read(
    connection: BaseDatabaseWrapper, names: Sequence[str]
) -> tuple[dict[str, FacTable | FacTableRefused], server.Clock]:
    """Each table as FAC's schema says, or why opsync cannot mirror it, and FAC's clock: FAC's schema read
    once for them all (one query on MySQL, server.schema_of), at the start of a run."""
    columns, keys, clock = schema_read(connection, names)
    found: dict[str, FacTable | FacTableRefused] = {}
    for name in names:
        try:
            found[name] = fac_table_of(name, columns.get(name), keys.get(name, ([], set())))
        except FacTableRefused as exc:
            found[name] = exc
    return found, clock


def schema_read(
    connection: BaseDatabaseWrapper, names: Sequence[str]
) -> tuple[dict[str, dict[str, dict]], dict[str, tuple[list[str], set[str]]], server.Clock]:
    """server.schema_of, asking how old FAC's oldest writing transaction is where the operator said
    the reader may see them (SYNC_LOOKBACK_OPEN_TRANSACTIONS); without the PROCESS grant that needs,
    the run goes on with its usual look-back, and says so in the log."""
    if not settings.SYNC_LOOKBACK_OPEN_TRANSACTIONS:
        return server.schema_of(connection, names)
    try:
        return server.schema_of(connection, names, open_transactions=True)
    except DatabaseError as exc:
        if error_code(exc) != server.NO_PROCESS_GRANT:
            raise
        logger.warning(
            "SYNC_LOOKBACK_OPEN_TRANSACTIONS is true, but the FAC reader lacks the PROCESS grant "
            "(docs/guide-exploitation.md): the look-back is not widened"
        )
        return server.schema_of(connection, names)


def fac_table_of(name: str, columns: dict[str, dict] | None, keys: tuple[list[str], set[str]]) -> FacTable:
    """A FAC table from what its schema says (server.schema_of's columns and keys): no I/O."""
    if columns is None:
        raise FacTableRefused("no such FAC table (or the reader may not read it)", missing=True)
    key, indexed = keys
    if not key:
        raise FacTableRefused("FAC's table has no primary key; opsync needs one integer column named id")
    if len(key) > 1:
        listed = ", ".join(escaped(column) for column in key)
        raise FacTableRefused(f"FAC's primary key has {len(key)} columns ({listed}); opsync needs one, id")
    if base_type(columns[key[0]]) not in INTEGER_TYPES:
        kind = columns[key[0]].get("column_type") or columns[key[0]]["data_type"]
        raise FacTableRefused(
            f"FAC's primary key {shown(key[0])} is {escaped(kind)}, not an integer; opsync needs an integer id"
        )
    if key[0] != "id":
        raise FacTableRefused(f"FAC's primary key is named {shown(key[0])}; opsync reads tables by a key named id")
    columns, refused = columns_checked(columns)
    kinds = {}
    for column, info in columns.items():
        kind = column_kind(column, info)
        if kind is not None:
            kinds[column] = kind
    return FacTable(name, columns, kinds, frozenset(indexed) & set(columns), refused)


def unsupported(table: FacTable, column: str) -> str:
    """Why a column cannot be mirrored: its name or its type, and what opsync carries."""
    if column in table.refused:
        return table.refused[column]
    info = table.columns[column]
    return f"type {(info.get('column_type') or info['data_type']).upper()} cannot be carried (opsync carries {CARRIED})"
