"""A model per adopted table, built from the mapping: the mapped columns under their OPS names."""

import keyword

from django.db import models

from syncapp.mapping import BUILT_IN, TableMapping, mappings

# Names a column cannot take as a model attribute.
RESERVED = {"pk", "objects", "save", "delete", "clean", "check", "full_clean", "refresh_from_db"}


def attribute(column: str, index: int) -> str:
    """The model attribute for an OPS column: its own name where Python and Django allow it."""
    usable = column.isidentifier() and not keyword.iskeyword(column) and "__" not in column
    return column if usable and not column.endswith("_") and column not in RESERVED else f"column_{index}"


def column_field(fac_field: models.Field, column: str) -> models.Field:
    """A read-only field for an OPS column, of the kind of value the FAC column feeds it."""
    if column == "id":
        return models.PositiveBigIntegerField(primary_key=True, verbose_name="id")
    _, _, _, kwargs = fac_field.deconstruct()
    size = {key: kwargs[key] for key in ("max_length", "max_digits", "decimal_places") if key in kwargs}
    return type(fac_field)(verbose_name=column, db_column=column, null=True, blank=True, **size)


def adopted_model(mapping: TableMapping) -> type[models.Model]:
    mirror = BUILT_IN[mapping.name][0]
    attributes = {"__module__": __name__}
    for index, (fac_field, column) in enumerate(zip(mapping.fields, mapping.ops_columns, strict=True)):
        attributes[attribute(column, index)] = column_field(fac_field, column)
    if mapping.synced_at:
        synced_at = models.DateTimeField(verbose_name=mapping.synced_at, db_column=mapping.synced_at, null=True)
        attributes[attribute(mapping.synced_at, len(mapping.pairs))] = synced_at
    attributes["Meta"] = type(
        "Meta",
        (),
        {
            "managed": False,
            "db_table": mapping.ops_table,
            "ordering": ["id"],
            "verbose_name": mirror._meta.verbose_name,
            "verbose_name_plural": mirror._meta.verbose_name_plural,
        },
    )
    return type(f"Adopted{mirror.__name__}", (models.Model,), attributes)


ADOPTED_MODELS = {mapping.name: adopted_model(mapping) for mapping in mappings() if mapping.adopted}
