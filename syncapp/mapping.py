"""The one declaration of what is mirrored: which FAC table feeds which OPS table.

The mirrored columns are the mirror model's fields (less `synced_at`), each fed by
the FAC column of the same name.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field

from syncapp import models
from syncapp.databases import FAC_ALIAS, OPS_ALIAS


@dataclass(frozen=True)
class Side:
    """One side of a mapping, as the SQL sees it: a database, a table and its mirrored columns.

    `vanished_of` (the OPS side only) leaves out the rows known to have vanished from FAC
    (see VanishedRow): they stay in the mirror, marked deleted, but are no longer FAC's.
    """

    alias: str
    table: str
    columns: tuple[str, ...]  # `id` first, in the mapping's order: both sides' rows line up
    vanished_of: str | None = None

    @property
    def connection(self) -> BaseDatabaseWrapper:
        return connections[self.alias]  # looked up in the calling thread: the sides may run in two


@dataclass(frozen=True)
class TableMapping:
    name: str
    mirror: type
    source: type

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """Mirrored columns, `id` first, in a stable order."""
        return tuple(f.column for f in self.mirror._meta.concrete_fields if f.column != "synced_at")

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        """FAC's fields for the mirrored columns, in their order: what kind of value each holds."""
        by_column = {f.column: f for f in self.source._meta.concrete_fields}
        return tuple(by_column[column] for column in self.columns)

    @property
    def fac_table(self) -> str:
        return self.source._meta.db_table

    @property
    def ops_table(self) -> str:
        return self.mirror._meta.db_table

    def position(self, column: str) -> int:
        """Where a column stands in a row of either side."""
        return self.columns.index(column)

    @property
    def fac(self) -> Side:
        return Side(FAC_ALIAS, self.fac_table, self.columns)

    def ops(self, *, with_vanished: bool = False) -> Side:
        """The mirror; without the rows that vanished from FAC unless asked for."""
        return Side(OPS_ALIAS, self.ops_table, self.columns, None if with_vanished else self.name)


MAPPINGS = (
    TableMapping("clients", models.Client, models.FacClient),
    TableMapping("transitaires", models.Transitaire, models.FacTransitaire),
    TableMapping("armateurs", models.Armateur, models.FacArmateur),
    TableMapping("representants", models.Representant, models.FacRepresentant),
    TableMapping("services", models.Service, models.FacService),
)
TABLE_NAMES = tuple(m.name for m in MAPPINGS)
BY_NAME = {m.name: m for m in MAPPINGS}
