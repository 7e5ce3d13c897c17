"""`--verify`: is OPS equal to FAC? Read-only, by range checksums (see checksums.py)."""

import time

from django.db import DatabaseError

from syncapp.common.messages import message
from syncapp.config.databases import error_reason
from syncapp.config.mapping import TableMapping
from syncapp.engine.checksums import TableComparison
from syncapp.engine.outcome import TableOutcome
from syncapp.engine.ownership import Ownership
from syncapp.engine.schema import schema_problem
from syncapp.models import Difference, SyncState
from syncapp.sql import rows

BATCH = 1000


class TableVerification:
    def __init__(self, mapping: TableMapping, keep_all: bool):
        self.mapping = mapping
        self.keep_all = keep_all
        self.outcome = TableOutcome(mapping.name)
        state = SyncState.objects.filter(table=mapping.name).first()
        self.ownership = Ownership.of(mapping, high_water=state.fac_high_id if state else None)

    def run(self) -> TableOutcome:
        started = time.monotonic()
        try:
            self.outcome.problem = schema_problem(self.mapping)
            if not self.outcome.problem:
                self.compare()
        except DatabaseError as exc:
            self.outcome.fail(message("database_error", reason=error_reason(exc)))
        self.outcome.duration = time.monotonic() - started
        return self.outcome

    def compare(self) -> None:
        for chunk in TableComparison(self.mapping).chunks():
            self.outcome.unchanged += chunk.equal
            for row_id in chunk.missing:  # or, in an adopted table, held by the application's own row
                self.note(row_id, Difference.COLLIDES if self.ownership.collides(row_id) else Difference.MISSING, [])
            self.describe_differing(chunk.differing)
            self.note_extra(chunk.extra)
        if self.mapping.ops.deleted_at:  # rows known to have left FAC must be marked deleted in OPS
            self.note_live_rows(sorted(self.ownership.vanished), Difference.UNMARKED)
        for row_id in sorted(self.ownership.own):
            self.note(row_id, Difference.OPS_ONLY, [])

    def note(self, row_id: int, kind: Difference, columns: list[str]) -> None:
        if kind == Difference.OPS_ONLY:  # the operations application's own row: listed, not a difference
            self.outcome.ops_only += 1
        else:
            self.outcome.differences += 1
        if kind == Difference.COLLIDES:  # a difference --force cannot mend: --renumber-ops-only does
            self.outcome.collisions += 1
        self.outcome.keep({"id": row_id, "action": kind, "columns": columns}, keep_all=self.keep_all)

    def note_extra(self, ids: list[int]) -> None:
        """OPS rows FAC does not have. In an adopted table, those FAC never had are OPS's own."""
        own, ids = self.ownership.split_gone(ids)
        for row_id in own:
            self.note(row_id, Difference.OPS_ONLY, [])
        if self.mapping.ops.deleted_at:
            self.note_live_rows(ids, Difference.EXTRA)
        else:
            for row_id in ids:
                self.note(row_id, Difference.EXTRA, [])

    def describe_differing(self, ids: list[int]) -> None:
        """Which columns differ, for the ids that will be shown."""
        fac_rows, ops_rows = rows.rows_by_id(self.mapping.fac, ids), rows.rows_by_id(self.mapping.ops, ids)
        for row_id in ids:
            pairs = zip(self.mapping.ops_columns, fac_rows[row_id], ops_rows[row_id], strict=True)
            self.note(
                row_id, Difference.DIFFERS, [name for name, fac_value, ops_value in pairs if fac_value != ops_value]
            )

    def note_live_rows(self, ids: list[int], kind: Difference) -> None:
        """Of these OPS rows (not in FAC), the ones not marked deleted are differences."""
        for start in range(0, len(ids), BATCH):
            marks = rows.deleted_at_by_id(self.mapping.ops, ids[start : start + BATCH])
            for row_id, deleted_at in sorted(marks.items()):
                if deleted_at is None:
                    self.note(row_id, kind, ["deleted_at"])


def table_verify(*, mapping: TableMapping, keep_all_changes: bool = False) -> TableOutcome:
    return TableVerification(mapping, keep_all_changes).run()
