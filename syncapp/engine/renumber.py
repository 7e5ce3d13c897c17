"""`--renumber-ops-only TABLE`: the operations application's own rows, moved out of FAC's way.

In a Laravel table the staff's own rows take the next AUTO_INCREMENT id, so they may hold
ids that FAC hands out too: those FAC rows collide and are never written (engine/ownership.py).
Renumbering moves each OPS-only row below RENUMBER_BASE to a free id above it and above
every id of the table, with every OPS foreign-key column that references it (found in
information_schema), in one OPS transaction, and records old → new (RenumberedRow). The
rows keep their content and their references; the next run copies FAC's rows into the ids
they freed. opsync never alters the application's table: it says which ALTER TABLE …
AUTO_INCREMENT the operator runs so that the application's next own rows land above FAC's.
"""

import logging
from dataclasses import dataclass, field

from django.db import connections, transaction

from syncapp.common.aliases import OPS_ALIAS
from syncapp.common.messages import MessageError, message
from syncapp.config.mapping import TableMapping
from syncapp.models import OpsOnlyRow, RenumberedRow, SyncState
from syncapp.sql import renumber as sql
from syncapp.sql.renumber import Reference

logger = logging.getLogger("opsync.sync")
# OPS-only ids below this are moved; the new ids start above it (and above the table's highest
# id). FAC's AUTO_INCREMENT ids would take decades to reach a billion reference rows, and an
# INT column (signed, up to 2 147 483 647) still holds it.
RENUMBER_BASE = 1_000_000_000
ROWS_PER_STATEMENT = 1000


class RenumberRefused(MessageError):
    """Nothing was moved; its message (syncapp.common.messages) says why."""


@dataclass
class Renumbering:
    """What renumbering a table moves (or, in a preview, would move)."""

    mapping: TableMapping
    moves: list[tuple[int, int]]  # (old id, new id)
    references: list[Reference]
    counts: dict[int, int] = field(default_factory=dict)  # old id → references to it, all columns together
    done: bool = False

    @property
    def next_auto_increment(self) -> int:
        return max((new for _, new in self.moves), default=RENUMBER_BASE) + 1

    @property
    def alter_statement(self) -> str:
        return sql.auto_increment_statement(connections[OPS_ALIAS], self.mapping.ops_table, self.next_auto_increment)

    @property
    def references_moved(self) -> int:
        return sum(self.counts.values())


def renumbering_plan(mapping: TableMapping) -> Renumbering:
    """Which OPS-only rows move where, and which foreign keys follow them; writes nothing."""
    connection = connections[OPS_ALIAS]
    if not mapping.adopted:
        raise RenumberRefused(message("renumber_not_adopted", table=mapping.name))
    if connection.vendor != "mysql":
        raise RenumberRefused(message("renumber_needs_mysql"))
    state = SyncState.objects.filter(table=mapping.name).first()
    if state is None or state.fac_high_id is None:
        raise RenumberRefused(message("renumber_not_compared", table=mapping.name))
    recorded = OpsOnlyRow.objects.filter(table=mapping.name, row_id__lt=RENUMBER_BASE).order_by("row_id")
    recorded_ids = list(recorded.values_list("row_id", flat=True))
    old_ids: list[int] = []  # those still in the table (the application may have removed one)
    for chunk in chunks(recorded_ids):
        old_ids += sorted(sql.existing(connection, mapping.ops_table, chunk))
    start = max(RENUMBER_BASE, sql.highest_id(connection, mapping.ops_table)) + 1
    plan = Renumbering(mapping, [(old, start + index) for index, old in enumerate(old_ids)],
                       sql.references_to(connection, mapping.ops_table))  # fmt: skip
    for reference in plan.references:
        for chunk in chunks(old_ids):
            for old, count in sql.reference_counts(connection, reference, chunk).items():
                plan.counts[old] = plan.counts.get(old, 0) + count
    return plan


def chunks(items: list) -> list[list]:
    return [items[start : start + ROWS_PER_STATEMENT] for start in range(0, len(items), ROWS_PER_STATEMENT)]


def renumbering_apply(plan: Renumbering) -> Renumbering:
    """Move the rows and their references in one OPS transaction, and record every old → new."""
    connection = connections[OPS_ALIAS]
    mapping = plan.mapping
    with transaction.atomic(using=OPS_ALIAS):
        sql.foreign_key_checks(connection, on=False)
        try:
            for moves in chunks(plan.moves):
                sql.moved(connection, mapping.ops_table, "id", moves)
                for reference in plan.references:
                    sql.moved(connection, reference.table, reference.column, moves)
        finally:
            sql.foreign_key_checks(connection, on=True)
        for moves in chunks(plan.moves):  # FAC has no row at a new id: no longer a collision
            OpsOnlyRow.objects.filter(table=mapping.name, row_id__in=[old for old, _ in moves]).delete()
            OpsOnlyRow.objects.bulk_create(OpsOnlyRow(table=mapping.name, row_id=new) for _, new in moves)
            RenumberedRow.objects.bulk_create(
                RenumberedRow(table=mapping.name, ops_table=mapping.ops_table, old_id=old, new_id=new,
                              references=plan.counts.get(old, 0))
                for old, new in moves
            )  # fmt: skip
    plan.done = True
    logger.info(
        "renumber %s: %s OPS-only rows of %s moved to ids %s-%s, %s references (%s)",
        mapping.name, len(plan.moves), mapping.ops_table, plan.moves[0][1], plan.moves[-1][1],
        plan.references_moved, ", ".join(f"{r.table}.{r.column}" for r in plan.references) or "no foreign key",
    )  # fmt: skip
    return plan
