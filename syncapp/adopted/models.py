"""Models the admin reads OPS tables with: one per table that is not opsync's own built-in mirror
(those are syncapp's models), all built one way.

An adopted table (the application's clients…, or a declared one) and a declared mirror get the
columns their OPS table has (an adopted table's mapped ones only), of the kinds OPS's types say,
read from OPS itself when the admin first builds its URLs: the admin reads OPS, and does not need
FAC to show what OPS holds.
"""

import keyword
from typing import Any

from django.db import DatabaseError, connections, models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from syncapp.common.aliases import OPS_ALIAS
from syncapp.config.fac_tables import base_type
from syncapp.config.mapping import BUILT_IN, TableMapping, mappings
from syncapp.config.owned_tables import owned_problem
from syncapp.sql import server
from syncapp.sql.names import NAME
from syncapp.sql.server import BINARY_TYPES, INTEGER_TYPES

# Names a column cannot take as a model attribute.
RESERVED = {"pk", "objects", "save", "delete", "clean", "check", "full_clean", "refresh_from_db"}


def attribute(column: str, index: int) -> str:
    """The model attribute for an OPS column: its own name where Python and Django allow it."""
    usable = column.isidentifier() and not keyword.iskeyword(column) and "__" not in column
    return column if usable and not column.endswith("_") and column not in RESERVED else f"column_{index}"


class TimeText(models.TextField):
    """A MySQL TIME, read as its text: -12:30:15 or 100:00:00 are no time of day (Django's TimeField)."""

    def select_format(self, compiler, sql, params):
        return f"CAST({sql} AS CHAR)", params


def column_label(column: str) -> Any:
    """How the admin names a column: as the five's mirrors name it where one of them has it (`id FAC`,
    `créée le`, `téléphone`), else its name in words (`mise_en_service` → `mise en service`)."""
    for model, _columns in BUILT_IN.values():
        for field in model._meta.concrete_fields:
            if field.column == column:
                return field.verbose_name
    return column.replace("_", " ")


def ops_field(column: str, info: dict) -> models.Field:
    """A read-only field for an OPS column, of the kind its type says (for display: no value is written)."""
    if column == "id":
        return models.PositiveBigIntegerField(primary_key=True, verbose_name=column_label("id"))
    kind = base_type(info)
    label = column_label(column)
    options: dict[str, Any] = {"verbose_name": label, "db_column": column, "null": True, "blank": True}
    if kind in INTEGER_TYPES | {"year"}:
        if (info.get("column_type") or "").startswith("tinyint(1)"):
            return models.BooleanField(**options)
        return models.BigIntegerField(**options)
    if kind == "decimal":
        return models.DecimalField(max_digits=65, decimal_places=int(info.get("scale") or 0), **options)
    if kind in ("float", "double"):
        return models.FloatField(**options)
    if kind in ("datetime", "timestamp"):
        return models.DateTimeField(**options)
    if kind == "date":
        return models.DateField(**options)
    if kind == "bit" or kind in BINARY_TYPES:
        return models.BinaryField(**options)
    if kind == "time":
        return TimeText(**options)
    return models.TextField(**options)  # text, ENUM, SET, JSON


def row_name(row: models.Model) -> str:
    """A row as people name it: its `nom` where the table has one, else its number."""
    named = next((f.attname for f in row._meta.concrete_fields if f.column == "nom"), None)
    name = getattr(row, named) if named else None
    return name.strip() if isinstance(name, str) and name.strip() else f"n° {row.pk}"


def model_named(name: str, table: str, fields: dict[str, models.Field], *, verbose: tuple) -> type[models.Model]:
    meta = {"managed": False, "db_table": table, "ordering": ["id"]}
    meta |= {"verbose_name": verbose[0], "verbose_name_plural": verbose[1]}
    attributes = {"__module__": __name__, "__str__": row_name, **fields, "Meta": type("Meta", (), meta)}
    return type(name, (models.Model,), attributes)


def declared_model(mapping: TableMapping, columns: dict[str, dict]) -> type[models.Model]:
    """The model of an OPS table opsync does not make as a Django model (an adopted table, a declared
    mirror), from its OPS table's columns: the mapped ones where the mapping lists them (an adopted
    table's other columns are the application's), else all."""
    shown = [column for column in columns if NAME.fullmatch(column)]  # a name Django would quote unescaped: left out
    if mapping.adopted and mapping.declared_pairs is not None:
        written = {ops for _, ops in mapping.declared_pairs} | {mapping.synced_at}
        shown = [column for column in columns if column in written]
    fields = {attribute(column, index): ops_field(column, columns[column]) for index, column in enumerate(shown)}
    if mapping.name in BUILT_IN:  # one of the five, adopted: named as its mirror is (and its permissions)
        mirror = BUILT_IN[mapping.name][0]
        verbose = (mirror._meta.verbose_name, mirror._meta.verbose_name_plural)
        return model_named(f"Adopted{mirror.__name__}", mapping.ops_table, fields, verbose=verbose)
    name = "".join(part.capitalize() for part in mapping.name.split("_") if part) or "Table"
    # One row of it, then the table: "1 ligne de navires", "3 navires" (a name's singular cannot be guessed).
    verbose = (format_lazy(_("row of {table}"), table=mapping.name), mapping.name)
    return model_named(name, mapping.ops_table, fields, verbose=verbose)


def read_models() -> dict[str, type[models.Model]]:
    """The models of the OPS tables opsync reads but does not model itself, by FAC table: each whose OPS
    table exists. Raises DatabaseError when OPS does not answer."""
    found = {}
    for mapping in mappings():
        if mapping.built_in and not mapping.adopted:  # opsync's own mirror: a model of syncapp's
            continue
        if owned_problem(mapping):  # the operations application's table: not shown as a mirror
            continue
        columns = server.column_info(connections[OPS_ALIAS], mapping.ops_table)
        if columns is not None and "id" in columns:
            found[mapping.name] = declared_model(mapping, columns)
    return found


# Built once per process, when OPS first answers (a model class is made once: Django's registry).
READ_MODELS: dict[str, type[models.Model]] = {}


def declared_models() -> dict[str, type[models.Model]]:
    """read_models(), once per process; empty while OPS does not answer (or is not migrated): the
    admin's other pages say so."""
    if not READ_MODELS:
        try:
            READ_MODELS.update(read_models())
        except DatabaseError:
            return {}
    return READ_MODELS


def table_model(name: str) -> type[models.Model] | None:
    """The model the admin reads a table's OPS rows with (None: a table whose OPS table is missing)."""
    found = declared_models()
    if name in found:
        return found[name]
    mapping = next((mapping for mapping in mappings() if mapping.name == name), None)
    return BUILT_IN[name][0] if mapping and mapping.built_in and not mapping.adopted else None
