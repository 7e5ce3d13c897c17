"""The one declaration of what is mirrored: which FAC table feeds which OPS table.

The mirrored columns are the mirror model's fields (less `synced_at`), each fed by
the FAC column of the same name.
"""

from dataclasses import dataclass
from functools import cached_property

from syncapp import models


@dataclass(frozen=True)
class TableMapping:
    name: str
    mirror: type
    source: type

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """Mirrored columns, `id` first, in a stable order."""
        return tuple(f.column for f in self.mirror._meta.concrete_fields if f.column != "synced_at")

    @property
    def fac_table(self) -> str:
        return self.source._meta.db_table

    @property
    def ops_table(self) -> str:
        return self.mirror._meta.db_table


MAPPINGS = (
    TableMapping("clients", models.Client, models.FacClient),
    TableMapping("transitaires", models.Transitaire, models.FacTransitaire),
    TableMapping("armateurs", models.Armateur, models.FacArmateur),
    TableMapping("representants", models.Representant, models.FacRepresentant),
    TableMapping("services", models.Service, models.FacService),
)
TABLE_NAMES = tuple(m.name for m in MAPPINGS)
BY_NAME = {m.name: m for m in MAPPINGS}
