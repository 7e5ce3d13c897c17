"""The one declaration of what is mirrored: which FAC table and columns feed which OPS table.

Every table is a declaration, and the engine, --verify, --check, the watcher, the read side and
the admin handle them all one way. Five are shipped (BUILT_IN), declared in built_in.toml and read
by the operator's file's own reader: each feeds opsync's own mirror of the same name, whose columns
the mirror model names too. The operator's SYNC_MAPPING_FILE (syncapp/config/mapping_file.py) may
have one of them feed a table that belongs to the operations application instead (adopted), and
may declare any other FAC table. `manage.py migrate` makes every mirror opsync owns, the five's as
the others (syncapp/engine/mirror_tables.py).

A declaration is plain data. What each column holds, for every table alike, comes from FAC's own
schema (syncapp/config/fac_tables.py): a run, `--check` and `migrate` resolve their tables at their
start (`tables_resolve`: FAC's schema read once for them all, and attached to each declaration as
`resolved_schema`), and everything else (the pairs, the kinds, the cursor and its index, both
sides) is computed from that. What only OPS needs (the table, its deleted_at, the columns of a
declaration that lists them) is known without FAC: `--status`, the dashboard and the admin ask FAC
nothing (`ops_deleted_at_declared`, `ops_name_declared`). A declaration never reads FAC itself:
asked what only FAC's schema says before it is resolved (in a shell, say), it raises Unresolved.
Each run, watcher cycle and --check resolves afresh, so each sees FAC as it is then (the watcher
runs for weeks, and the billing application may be upgraded meanwhile).
"""

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.db import connections
from django.db.models import BinaryField, Field, Model, TimeField

from syncapp import models
from syncapp.common.aliases import FAC_ALIAS, OPS_ALIAS
from syncapp.config.fac_tables import FacTable, FacTableRefused, fac_tables_read, unsupported
from syncapp.config.mapping_file import MappingFileError, TableDeclaration, built_in_read, mapping_file_read
from syncapp.sql import ddl, server
from syncapp.sql.side import LeftOut, Side

# The shipped tables: FAC table → (opsync's mirror model, the FAC model the tests and the demo write with).
BUILT_IN = {
    "clients": (models.Client, models.FacClient),
    "transitaires": (models.Transitaire, models.FacTransitaire),
    "armateurs": (models.Armateur, models.FacArmateur),
    "representants": (models.Representant, models.FacRepresentant),
    "services": (models.Service, models.FacService),
}
BUILT_IN_NAMES = tuple(BUILT_IN)
BUILT_IN_FILE = Path(__file__).with_name("built_in.toml")  # their declarations
# The columns of a mirror opsync creates that no FAC column feeds.
OWN_COLUMNS = ("synced_at",)


class Unresolved(LookupError):
    """A declaration asked what only FAC's schema says before it was resolved against it: a slip of
    the code (or of a shell session), never of the operator's configuration."""


@dataclass(frozen=True)
class TableMapping:
    name: str  # the FAC table
    ops_table: str
    declared_pairs: tuple[tuple[str, str], ...] | None  # (FAC column, OPS column), `id` first; None: every FAC column
    adopted: bool = False  # the OPS table belongs to the operations application
    synced_at: str | None = "synced_at"  # the OPS column that receives the sync time, if any
    mirror: type[Model] | None = None  # opsync's own mirror model (the built-in tables it creates)
    identity: tuple[str, ...] = ()  # adopted tables: the FAC columns that recognise FAC's copy of a row
    declared_cursor: str | Literal[False] | None = "updated_at"  # None: updated_at where FAC has it; False: none
    declared_deleted_at: str | Literal[False] | None = "deleted_at"  # None: deleted_at where FAC has it; False: none
    origin: str = ""  # the mapping file that declares it, for its refusals ("": the built-in mapping)
    # FAC's table as the run that resolved this declaration read it, with the others, at its start
    # (tables_resolve): the run asks FAC's schema nothing more. None: a declaration, plain data.
    resolved_schema: FacTable | FacTableRefused | None = field(default=None, compare=False, repr=False)

    @property
    def built_in(self) -> bool:
        return self.name in BUILT_IN

    @property
    def fac_table(self) -> str:
        return self.name

    def refused(self, key: str, problem: str) -> MappingFileError:
        where = f"[{self.name}] {key}" if key else f"[{self.name}]"
        source = f"SYNC_MAPPING_FILE {self.origin}" if self.origin else "the built-in mapping"
        return MappingFileError(f"{source}: {where}: {problem}")

    @property
    def fac_found(self) -> FacTable | FacTableRefused:
        """FAC's table as it was resolved (tables_resolve); or why opsync cannot mirror it."""
        if self.resolved_schema is None:
            raise Unresolved(f"{self.name}: a declaration knows FAC's columns once resolved: tables_resolve([name])")
        return self.resolved_schema

    @property
    def fac_schema(self) -> FacTable:
        """FAC's table, from its schema; MappingFileError when opsync cannot mirror it."""
        found = self.fac_found
        if isinstance(found, FacTableRefused):
            raise self.refused("", str(found))
        return found

    @property
    def fac_missing(self) -> bool:
        """FAC has no such table (a drift, said as one)."""
        return isinstance(self.fac_found, FacTableRefused) and self.fac_found.missing

    @functools.cached_property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """(FAC column, OPS column), `id` first: the declared ones, or every column FAC has."""
        if self.declared_pairs is not None:
            pairs = self.declared_pairs
        else:
            if refused := self.fac_schema.refused:  # every FAC column would be named: none may be unfit
                raise self.refused("", f"{next(iter(refused.values()))}; leave it out with columns = [...]")
            pairs = tuple((column, column) for column in self.fac_schema.columns if column not in OWN_COLUMNS)
            pairs = (("id", "id"), *(pair for pair in pairs if pair[0] != "id"))
        deleted_at = self.declared_deleted_at
        if not self.adopted and isinstance(deleted_at, str) and deleted_at not in dict(pairs):
            pairs = (*pairs, (deleted_at, deleted_at))  # a mirror opsync creates keeps FAC's deletions
        elif (
            not self.adopted
            and deleted_at is None
            and "deleted_at" not in dict(pairs)
            and self.fac_schema.has("deleted_at")
        ):
            pairs = (*pairs, ("deleted_at", "deleted_at"))
        return pairs

    @property
    def columns(self) -> tuple[str, ...]:
        """The mapped FAC columns."""
        return tuple(fac for fac, _ in self.pairs)

    @property
    def ops_columns(self) -> tuple[str, ...]:
        """The OPS columns they feed, in the same order."""
        return tuple(ops for _, ops in self.pairs)

    @functools.cached_property
    def fields(self) -> tuple[Field, ...]:
        """The kind of value each mapped FAC column holds, in their order, from FAC's schema."""
        schema = self.fac_schema
        for fac, _ in self.pairs:
            key = f"columns.{fac}" if self.declared_pairs is not None else ""
            if not schema.has(fac):
                raise self.refused(key, f"FAC table {self.name} has no such column; it has {', '.join(schema.columns)}")
            if fac not in schema.kinds:
                problem = unsupported(schema, fac)
                if self.declared_pairs is None:
                    problem = f"FAC column '{fac}': {problem}; leave it out with columns = [...]"
                raise self.refused(key, problem)
        for column in self.identity:
            if column not in self.columns:
                raise self.refused("identity", f"'{column}' is not a mapped FAC column")
        self.check_timestamps(schema)
        return tuple(schema.kinds[column] for column in self.columns)

    def check_timestamps(self, schema: FacTable) -> None:
        for key, declared in (("cursor", self.declared_cursor), ("deleted_at", self.declared_deleted_at)):
            if not isinstance(declared, str):
                continue
            if not schema.has(declared):
                raise self.refused(key, f"FAC table {self.name} has no column '{declared}'")
            if declared in schema.refused:
                raise self.refused(key, schema.refused[declared])
            if schema.columns[declared]["data_type"].split("(")[0] not in ("datetime", "timestamp"):
                raise self.refused(key, f"FAC column '{declared}' is not a DATETIME or TIMESTAMP")
        if not self.adopted and self.declared_deleted_at is False and "deleted_at" in self.columns:
            raise self.refused("deleted_at", "false, yet columns maps deleted_at: the mirror's own deleted_at marks "
                               "hard deletes; leave deleted_at out of columns")  # fmt: skip
        if not self.adopted and any(column in OWN_COLUMNS for column in self.ops_columns):
            raise self.refused("columns", "synced_at is the mirror's own column (when opsync wrote the row)")

    def resolve(self) -> None:
        """Check the declaration against FAC's live schema now (MappingFileError saying what is wrong)."""
        self.fields  # noqa: B018

    @property
    def cursor(self) -> str | None:
        """The FAC column runs follow, if any: updated_at by default, where FAC has it."""
        if self.declared_cursor is None:
            return "updated_at" if self.fac_schema.has("updated_at") else None
        return self.declared_cursor or None

    @property
    def cursor_indexed(self) -> bool:
        """Whether FAC has an index that begins with the cursor: changes are found by a range of it."""
        return self.cursor is not None and self.cursor in self.fac_schema.indexed

    @property
    def cursor_index_statement(self) -> str:
        """The one statement for FAC's administrator that lets runs read a range instead of the table
        ("" where runs follow no cursor)."""
        return ddl.index_statement("mysql", self.fac_table, self.cursor) if self.cursor else ""

    @property
    def fac_deleted_at(self) -> str | None:
        """FAC's soft-delete column, if any: deleted_at by default, where FAC has it."""
        if self.declared_deleted_at is None:
            return "deleted_at" if self.fac_schema.has("deleted_at") else None
        return self.declared_deleted_at or None

    @property
    def ops_deleted_at(self) -> str | None:
        """The OPS column that marks a row deleted: a mirror opsync creates always has one (FAC's, or
        its own for hard deletes); an adopted table, the column FAC's deleted_at feeds, if mapped."""
        declared = self.declared_deleted_at
        if not self.adopted:
            return declared if isinstance(declared, str) else "deleted_at"
        if declared is False:
            return None
        return self.ops_name(declared if isinstance(declared, str) else "deleted_at")

    @property
    def ops_deleted_at_declared(self) -> str | None:
        """ops_deleted_at as the declaration alone says it, for the read side, which does not ask FAC:
        an adopted table that takes every FAC column takes FAC's deleted_at under its own name."""
        declared = self.declared_deleted_at
        if not self.adopted:
            return self.ops_deleted_at
        if declared is False:
            return None
        return self.ops_name_declared(declared if isinstance(declared, str) else "deleted_at")

    def ops_name_declared(self, fac_column: str) -> str | None:
        """ops_name as the declaration alone says it, for the read side: a table that takes every FAC
        column takes each under its own name."""
        return fac_column if self.declared_pairs is None else dict(self.declared_pairs).get(fac_column)

    def position(self, fac_column: str | None) -> int | None:
        """Where a FAC column stands in a row of either side; None when it is not mapped."""
        return self.columns.index(fac_column) if fac_column in self.columns else None

    def ops_name(self, fac_column: str) -> str | None:
        return dict(self.pairs).get(fac_column)

    def declared_ops_name(self, fac_column: str) -> str | None:
        """ops_name, without asking FAC: None when the declaration does not list its columns."""
        return None if self.declared_pairs is None else dict(self.declared_pairs).get(fac_column)

    def times(self) -> list[int]:
        """The positions of the mapped columns that hold TIMEs, as far as FAC's schema says (--check
        reads a table whose columns FAC no longer has: its lines say what is missing)."""
        try:
            kinds = self.fac_schema.kinds
        except MappingFileError:
            return []
        return [position for position, column in enumerate(self.columns) if isinstance(kinds.get(column), TimeField)]

    @property
    def fac(self) -> Side:
        return self.fac_side(reads_cursor=False)

    @property
    def fac_read(self) -> Side:
        """FAC as the sync reads it: the mapped columns, then the cursor's value (the cursor follows it)."""
        return self.fac_side(reads_cursor=True)

    def fac_side(self, *, reads_cursor: bool) -> Side:
        return Side(
            FAC_ALIAS,
            self.fac_table,
            self.columns,
            deleted_at=self.fac_deleted_at,
            source=True,
            cursor=self.cursor,
            reads_cursor=reads_cursor,
            as_text=frozenset(self.columns[position] for position in self.times()),
        )

    @property
    def loadable(self) -> bool:
        """Whether LOAD DATA can carry every column as text (binary values go by upserts)."""
        return not any(isinstance(f, BinaryField) for f in self.fields)

    @property
    def ops(self) -> Side:
        """The OPS table, every row of it: what the sync writes."""
        return Side(
            OPS_ALIAS,
            self.ops_table,
            self.ops_columns,
            deleted_at=self.ops_deleted_at,
            synced_at=self.synced_at,
            as_text=frozenset(self.ops_columns[position] for position in self.times()),
        )

    @property
    def ops_compared(self) -> Side:
        """The OPS table as it is compared with FAC: without the rows that vanished from FAC
        (VanishedRow) and the rows that are OPS's own (OpsOnlyRow). They stay in OPS."""
        records = (models.VanishedRow._meta.db_table, models.OpsOnlyRow._meta.db_table)
        return dataclasses.replace(self.ops, left_out=LeftOut(self.name, records))

    @property
    def ops_counted(self) -> Side:
        """The OPS table as the status counts it, known without FAC: no column list, OPS's own rows left out."""
        left_out = LeftOut(self.name, (models.OpsOnlyRow._meta.db_table,))
        return Side(OPS_ALIAS, self.ops_table, ("id",), deleted_at=self.ops_deleted_at_declared, left_out=left_out)


@functools.cache
def built_in_declarations() -> dict[str, TableDeclaration]:
    """The five's declarations as opsync ships them, read by the mapping file's own reader."""
    return built_in_read(BUILT_IN_FILE, fac_columns())


def built_in(name: str) -> TableMapping:
    """One of the five as opsync declares it, into its own mirror."""
    declaration = built_in_declarations()[name]
    return TableMapping(name, declaration.ops_table, declaration.columns, mirror=BUILT_IN[name][0])


def declared(declaration: TableDeclaration, origin: str) -> TableMapping:
    """A table as the mapping file declares it: a built-in one overridden, or a table of FAC's more."""
    name = declaration.name
    if name in BUILT_IN and not declaration.adopt:
        return built_in(name)
    if name not in BUILT_IN:
        pairs, cursor, deleted_at = declaration.columns, declaration.cursor, declaration.deleted_at
    else:
        pairs = declaration.columns or built_in(name).pairs
        cursor, deleted_at = "updated_at", "deleted_at"
    return TableMapping(
        name,
        declaration.ops_table,
        pairs,
        adopted=declaration.adopt,
        synced_at=declaration.synced_at if declaration.adopt else "synced_at",
        identity=declaration.identity,
        declared_cursor=cursor,
        declared_deleted_at=deleted_at,
        origin=origin,
    )


def fac_columns() -> dict[str, tuple[str, ...]]:
    """The built-in tables' FAC columns: what a mapping file may name before FAC is asked."""
    return {name: tuple(f.column for f in source._meta.concrete_fields) for name, (_, source) in BUILT_IN.items()}


def mirrored_columns() -> dict[str, tuple[str, ...]]:
    """The FAC columns the built-in mapping copies, per table."""
    return {name: built_in(name).columns for name in BUILT_IN}


@functools.cache
def mappings_from_file(path: str) -> tuple[TableMapping, ...]:
    """Every table's mapping: the built-in ones (as the file may override them), then the file's others."""
    declarations = mapping_file_read(Path(path), fac_columns(), mirrored_columns()) if path else {}
    found = [declared(declarations[name], path) if name in declarations else built_in(name) for name in BUILT_IN]
    found += [declared(declaration, path) for name, declaration in declarations.items() if name not in BUILT_IN]
    return tuple(found)


def mappings() -> tuple[TableMapping, ...]:
    return mappings_from_file(str(settings.SYNC_MAPPING_FILE or ""))


def table_names() -> tuple[str, ...]:
    """Every mirrored FAC table, the built-in ones first."""
    return tuple(mapping.name for mapping in mappings())


def mapping_for(name: str) -> TableMapping:
    return next(mapping for mapping in mappings() if mapping.name == name)


def tables_resolve(names: Sequence[str]) -> tuple[list[TableMapping], server.Clock]:
    """The declarations of these tables, each with FAC's table as FAC's schema says now, and FAC's clock
    then: read once for them all (one query), at the start of a run, so that its tables ask FAC's schema
    nothing more."""
    chosen = [mapping_for(name) for name in names]
    schemas, clock = fac_tables_read(connections[FAC_ALIAS], [mapping.fac_table for mapping in chosen])
    return [dataclasses.replace(mapping, resolved_schema=schemas[mapping.fac_table]) for mapping in chosen], clock


def mappings_resolve() -> None:
    """Every declaration checked against FAC's schema (MappingFileError on the first that does not fit)."""
    for mapping in tables_resolve(table_names())[0]:
        mapping.resolve()
