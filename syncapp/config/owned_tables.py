"""Which OPS tables opsync may create, alter and feed without `adopt`: those it created itself.

OPS and FAC are both Laravel applications: both have `users`, `password_resets`, `jobs`. A
declaration `[users]` without `adopt` must never turn OPS's own `users` into a mirror of FAC's.
opsync's migrations make the five built-in mirrors; `migrate` makes a declared table's mirror
and records it (OwnedTable). Any other existing OPS table is the operations application's:
refused in one line that says to adopt it.
"""

from django.db import connections

from syncapp.common.aliases import OPS_ALIAS
from syncapp.common.messages import Message, message
from syncapp.config.mapping import TableMapping
from syncapp.models import OwnedTable
from syncapp.sql import server


def owned_problem(mapping: TableMapping) -> Message | None:
    """Why opsync may not create, alter or feed the OPS table of a declared table it does not adopt
    (a message), or None: it may (its mirror, or no table yet, which migrate will create)."""
    if mapping.built_in or mapping.adopted:
        return None
    record = OwnedTable.objects.filter(ops_table=mapping.ops_table).first()
    if record is None:
        exists = server.table_columns(connections[OPS_ALIAS], mapping.ops_table) is not None
        return message("ops_table_not_owned", table=mapping.ops_table) if exists else None
    if record.fac_table is not None and record.fac_table != mapping.name:
        return message("ops_table_other_mirror", table=mapping.ops_table, owner=record.fac_table, fed=mapping.name)
    return None


def owned_record(mapping: TableMapping) -> bool:
    """Record that opsync is creating the mirror of a declared table; True when this call recorded it."""
    _, created = OwnedTable.objects.get_or_create(ops_table=mapping.ops_table, defaults={"fac_table": mapping.name})
    return created


def owned_forget(mapping: TableMapping) -> None:
    """The mirror could not be created after all: no record of it."""
    OwnedTable.objects.filter(ops_table=mapping.ops_table).delete()
