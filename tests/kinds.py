"""The kinds of a built-in table's mapped FAC columns without asking FAC: its FAC model's fields.

For the unit tests of the canonical text and of the SQL built from it, which run with no
database; the engine itself reads kinds from FAC's schema (syncapp/config/fac_tables.py), as
tests/test_declared.py shows for tables opsync has no model of.
"""

import dataclasses

from syncapp.config.fac_tables import FacTable
from syncapp.config.mapping import BUILT_IN, TableMapping, built_in


def model_kinds(mapping: TableMapping) -> tuple:
    by_column = {f.column: f for f in BUILT_IN[mapping.name][1]._meta.concrete_fields}
    return tuple(by_column[column] for column in mapping.columns)


def offline(name: str) -> TableMapping:
    """A built-in table's mapping whose FAC schema is its FAC model's: its sides are built without FAC."""
    mapping = built_in(name)
    fields = BUILT_IN[name][1]._meta.concrete_fields
    schema = FacTable(
        name, {f.column: {"data_type": f.get_internal_type()} for f in fields}, {f.column: f for f in fields}
    )
    return dataclasses.replace(mapping, resolved_schema=schema)  # resolved as a run resolves it, without FAC
