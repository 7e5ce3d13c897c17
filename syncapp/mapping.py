"""The one declaration of what is mirrored: which FAC table and columns feed which OPS table.

Built in: each FAC table feeds opsync's own mirror table of the same name (created by its
migrations), whose columns are the mirror model's fields less `synced_at`, each fed by the
FAC column of the same name. The operator's SYNC_MAPPING_FILE (syncapp/mapping_file.py) may
instead have a FAC table feed a table that already exists in OPS and belongs to the
operations application (adopted), under other column names.
"""

import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field

from syncapp import models
from syncapp.databases import FAC_ALIAS, OPS_ALIAS
from syncapp.mapping_file import TableDeclaration, read_mapping_file

# FAC table → (opsync's mirror model, the FAC model).
BUILT_IN = {
    "clients": (models.Client, models.FacClient),
    "transitaires": (models.Transitaire, models.FacTransitaire),
    "armateurs": (models.Armateur, models.FacArmateur),
    "representants": (models.Representant, models.FacRepresentant),
    "services": (models.Service, models.FacService),
}
TABLE_NAMES = tuple(BUILT_IN)


@dataclass(frozen=True)
class Side:
    """One side of a mapping, as the SQL sees it: a database, a table and its mapped columns.

    `deleted_at` and `synced_at` name this side's columns for them, if it has them. The OPS
    side of a comparison leaves out the rows set aside for `set_aside_of` (see VanishedRow and
    OpsOnlyRow): they stay in OPS, but are no longer, or never were, FAC's.
    """

    alias: str
    table: str
    columns: tuple[str, ...]  # `id` first, in the mapping's order: both sides' rows line up
    deleted_at: str | None = None
    synced_at: str | None = None
    set_aside_of: str | None = None
    source: bool = False  # FAC: its legacy zero dates in deleted_at mean deleted (syncapp/sql/rows.column_sql)

    @property
    def connection(self) -> BaseDatabaseWrapper:
        return connections[self.alias]  # looked up in the calling thread: the sides may run in two


@dataclass(frozen=True)
class TableMapping:
    name: str  # the FAC table
    source: type  # its FAC model
    ops_table: str
    pairs: tuple[tuple[str, str], ...]  # (FAC column, OPS column), `id` first
    adopted: bool = False  # the OPS table belongs to the operations application
    synced_at: str | None = "synced_at"  # the OPS column that receives the sync time, if any
    mirror: type | None = None  # opsync's own mirror model (created tables only)
    identity: tuple[str, ...] = ()  # adopted tables: the FAC columns that recognise FAC's copy of a row

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
        """FAC's fields for the mapped columns, in their order: what kind of value each holds."""
        by_column = {f.column: f for f in self.source._meta.concrete_fields}
        return tuple(by_column[column] for column in self.columns)

    @property
    def fac_table(self) -> str:
        return self.source._meta.db_table

    def position(self, fac_column: str) -> int | None:
        """Where a FAC column stands in a row of either side; None when it is not mapped."""
        return self.columns.index(fac_column) if fac_column in self.columns else None

    def ops_name(self, fac_column: str) -> str | None:
        return dict(self.pairs).get(fac_column)

    @property
    def fac(self) -> Side:
        return Side(FAC_ALIAS, self.fac_table, self.columns, deleted_at="deleted_at", source=True)

    @property
    def fac_read(self) -> Side:
        """FAC as the sync reads it: the mapped columns, then updated_at (the cursor follows it)."""
        return Side(FAC_ALIAS, self.fac_table, (*self.columns, "updated_at"), deleted_at="deleted_at", source=True)

    def ops(self, *, with_set_aside: bool = False) -> Side:
        """The OPS table; without the rows set aside (vanished from FAC, or OPS's own) unless asked for."""
        return Side(
            OPS_ALIAS,
            self.ops_table,
            self.ops_columns,
            deleted_at=self.ops_name("deleted_at"),
            synced_at=self.synced_at,
            set_aside_of=None if with_set_aside else self.name,
        )


def built_in(name: str) -> TableMapping:
    mirror, source = BUILT_IN[name]
    columns = tuple(f.column for f in mirror._meta.concrete_fields if f.column != "synced_at")
    return TableMapping(name, source, mirror._meta.db_table, tuple((c, c) for c in columns), mirror=mirror)


def declared(declaration: TableDeclaration) -> TableMapping:
    default = built_in(declaration.name)
    if not declaration.adopt:
        return default
    return TableMapping(
        declaration.name,
        default.source,
        declaration.ops_table,
        declaration.columns or default.pairs,
        adopted=True,
        synced_at=declaration.synced_at,
        identity=declaration.identity,
    )


def fac_columns() -> dict[str, tuple[str, ...]]:
    return {name: tuple(f.column for f in source._meta.concrete_fields) for name, (_, source) in BUILT_IN.items()}


def mirrored_columns() -> dict[str, tuple[str, ...]]:
    """The FAC columns the built-in mapping copies, per table."""
    return {name: built_in(name).columns for name in BUILT_IN}


@functools.cache
def load(path: str) -> tuple[TableMapping, ...]:
    """Every table's mapping: the built-in one, or the mapping file's."""
    declarations = read_mapping_file(Path(path), fac_columns(), mirrored_columns()) if path else {}
    return tuple(declared(declarations[name]) if name in declarations else built_in(name) for name in TABLE_NAMES)


def mappings() -> tuple[TableMapping, ...]:
    return load(str(settings.SYNC_MAPPING_FILE or ""))


def mapping_for(name: str) -> TableMapping:
    return next(mapping for mapping in mappings() if mapping.name == name)
