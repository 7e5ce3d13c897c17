"""Whose row is this? In an adopted table, each OPS row is FAC's copy or the operations application's own.

The rule, written once, for the sync (engine/mirror.py) and --verify (syncapp/engine/verify.py):

1. An OPS row whose id FAC does not have is FAC's row deleted there when opsync has seen FAC
   hold that id (it is at or below the highest FAC id seen by the last run that applied: the
   high-water mark); otherwise it is OPS's own (recorded as an OpsOnlyRow).
2. An OPS row at an id FAC has is decided once, by the table's `identity`: FAC's copy when one
   of those columns holds the same non-empty value on both sides, else OPS's own, colliding
   with FAC's row. It is decided at the first comparison of the table (no high-water mark
   yet), and when FAC's id first reaches an OPS row opsync has never written (above the mark,
   or recorded own while FAC had no such id). After that the decision stands: a copy that FAC
   renames entirely is still FAC's, an own row that the staff rename is still theirs.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from syncapp.config.mapping import TableMapping
from syncapp.models import OpsOnlyRow, VanishedRow


class Meeting(Enum):
    """What a FAC row finds at its id in OPS, and so what the sync does with it."""

    COPY = "copy"  # nothing of OPS's own there: FAC's row is written
    FREED = "freed"  # OPS's own row left the id (renumbered, removed) or is FAC's copy after all: forget it, write
    NEW_COLLISION = "new collision"  # decided now: OPS's own row holds the id; record it, refuse FAC's row
    COLLISION = "collision"  # decided before: OPS's own row holds the id; refuse FAC's row


@dataclass
class Ownership:
    adopted: bool
    high_water: int | None  # None: the table was never compared yet (its adoption)
    own: dict[int, bool]  # the recorded own rows: id → collides with a FAC row
    vanished: set[int]  # rows recorded as gone from FAC

    @classmethod
    def of(cls, mapping: TableMapping, *, high_water: int | None) -> "Ownership":
        own = OpsOnlyRow.objects.filter(table=mapping.name) if mapping.adopted else OpsOnlyRow.objects.none()
        return cls(
            adopted=mapping.adopted,
            high_water=high_water if mapping.adopted else None,
            own=dict(own.values_list("row_id", "collides")),
            vanished=set(VanishedRow.objects.filter(table=mapping.name).values_list("row_id", flat=True)),
        )

    def never_seen_in_fac(self, row_id: int) -> bool:
        return self.high_water is None or row_id > self.high_water

    def to_decide(self, row_id: int) -> bool:
        """An OPS row at an id FAC has: must its identity say now whose it is?"""
        if not self.adopted:
            return False
        if row_id in self.own:
            return not self.own[row_id]  # recorded while FAC had no such id: FAC's id has just reached it
        return self.never_seen_in_fac(row_id)

    def meeting(self, row_id: int, *, in_ops: bool, recognised: bool) -> Meeting:
        """A FAC row at `row_id`: what it meets in OPS (rule 2). `in_ops`: OPS has a row of that id;
        `recognised`: the table's identity finds FAC's values in it (asked only when `to_decide`)."""
        if not self.adopted:
            return Meeting.COPY
        if not in_ops:
            return Meeting.FREED if row_id in self.own else Meeting.COPY
        if self.to_decide(row_id):
            return Meeting.FREED if recognised else Meeting.NEW_COLLISION
        return Meeting.COLLISION if self.collides(row_id) else Meeting.COPY

    def collides(self, row_id: int) -> bool:
        """An OPS row at an id FAC has, decided to be OPS's own."""
        return self.own.get(row_id, False)

    def split_gone(self, ids: Iterable[int]) -> tuple[list[int], list[int]]:
        """OPS rows whose ids FAC does not have: (OPS's own, FAC's rows deleted there)."""
        if not self.adopted:
            return [], list(ids)
        own: list[int] = []
        gone: list[int] = []
        for row_id in ids:
            is_own = row_id not in self.vanished and self.never_seen_in_fac(row_id)
            (own if is_own else gone).append(row_id)
        return own, gone
