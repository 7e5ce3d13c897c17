"""Which OPS tables opsync may create, alter and feed without `adopt`: those it created itself.

OPS and FAC are both Laravel applications: both have `users`, `password_resets`, `jobs`. A
declaration `[users]` without `adopt` must never turn OPS's own `users` into a mirror of FAC's, nor
`clients` the application's own `clients`. `migrate` makes each mirror, the five's as a declared
table's, and records it (OwnedTable). A mirror made before it kept a record (the five's, by
Django's migrations until then; a declared one's) is recognised by `migrate` and recorded: it has
every column the mapping writes, `synced_at` among them, and an index that begins with its
deleted_at, which an application's table has not. Any other existing OPS table is the operations
application's: refused in one line that says to adopt it.
"""

from django.db import connections

from syncapp.common.aliases import OPS_ALIAS
from syncapp.common.messages import Message, message
from syncapp.config.mapping import TableMapping
from syncapp.models import OwnedTable
from syncapp.sql import server


def owned_problem(mapping: TableMapping) -> Message | None:
    """Why opsync may not create, alter or feed the OPS table of a table it does not adopt (a message),
    or None: it may (its mirror, or no table yet, which migrate will create)."""
    if mapping.adopted:
        return None
    record = OwnedTable.objects.filter(ops_table=mapping.ops_table).first()
    if record is None:
        exists = server.table_columns(connections[OPS_ALIAS], mapping.ops_table) is not None
        return message("ops_table_not_owned", table=mapping.ops_table) if exists else None
    if record.fac_table is not None and record.fac_table != mapping.name:
        return message("ops_table_other_mirror", table=mapping.ops_table, owner=record.fac_table, fed=mapping.name)
    return None


def owned_found(mapping: TableMapping) -> None:
    """`migrate`: record a mirror opsync made before it kept a record (the module's docstring)."""
    if mapping.adopted or OwnedTable.objects.filter(ops_table=mapping.ops_table).exists():
        return
    ops = connections[OPS_ALIAS]
    columns = server.table_columns(ops, mapping.ops_table)
    if columns is None or not {*mapping.ops_columns, mapping.synced_at, mapping.ops_deleted_at} <= set(columns):
        return
    if mapping.ops_deleted_at in server.keys(ops, mapping.ops_table)[1]:
        owned_record(mapping)


def owned_record(mapping: TableMapping) -> bool:
    """Record that opsync is creating a mirror; True when this call recorded it."""
    _, created = OwnedTable.objects.get_or_create(ops_table=mapping.ops_table, defaults={"fac_table": mapping.name})
    return created


def owned_forget(mapping: TableMapping) -> None:
    """The mirror could not be created after all: no record of it."""
    OwnedTable.objects.filter(ops_table=mapping.ops_table).delete()
