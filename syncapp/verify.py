"""`--verify`: is OPS equal to FAC? Read-only, by range checksums (see checksums.py)."""

import time

from django.db import DatabaseError, connections

from syncapp import checksums, sql
from syncapp.engine import (
    CHANGES_KEPT,
    FAC_ALIAS,
    OPS_ALIAS,
    TableOutcome,
    database_error_text,
    schema_problem,
    still_in_fac_condition,
)
from syncapp.mapping import TableMapping
from syncapp.models import VanishedRow


class TableVerification:
    def __init__(self, mapping: TableMapping, keep_all: bool):
        self.mapping = mapping
        self.keep_all = keep_all
        self.fac, self.ops = connections[FAC_ALIAS], connections[OPS_ALIAS]
        self.outcome = TableOutcome(mapping.name)
        self.vanished = frozenset(VanishedRow.objects.filter(table=mapping.name).values_list("row_id", flat=True))

    def run(self) -> TableOutcome:
        started = time.monotonic()
        try:
            self.outcome.error = schema_problem(self.mapping) or ""
            if not self.outcome.error:
                self.compare()
        except DatabaseError as exc:
            self.outcome.error = f"database error: {database_error_text(exc)}"
        self.outcome.duration = time.monotonic() - started
        return self.outcome

    def compare(self) -> None:
        fac_side = checksums.TableSide(FAC_ALIAS, self.mapping.fac_table, self.mapping)
        ops_side = checksums.TableSide(
            OPS_ALIAS, self.mapping.ops_table, self.mapping, still_in_fac_condition(self.ops, self.mapping)
        )
        for chunk in checksums.TableComparison(fac_side, ops_side).chunks():
            self.outcome.unchanged += chunk.equal
            for row_id in chunk.missing:
                self.note(row_id, "missing", [])
            self.describe_differing(chunk.differing)
            self.note_live_rows(chunk.extra, "extra")
        # Rows known to have left FAC must be marked deleted in OPS.
        self.note_live_rows(sorted(self.vanished), "unmarked")

    def note(self, row_id: int, kind: str, columns: list[str]) -> None:
        self.outcome.differences += 1
        if self.keep_all or len(self.outcome.changes) < CHANGES_KEPT:
            self.outcome.changes.append({"id": row_id, "action": kind, "columns": columns})

    def describe_differing(self, ids: list[int]) -> None:
        """Which columns differ, for the ids that will be shown."""
        columns = list(self.mapping.columns)
        fac_rows = sql.rows_by_id(self.fac, self.mapping.fac_table, columns, ids)
        ops_rows = sql.rows_by_id(self.ops, self.mapping.ops_table, columns, ids)
        for row_id in ids:
            pairs = zip(columns, fac_rows[row_id], ops_rows[row_id], strict=True)
            self.note(row_id, "differs", [name for name, fac_value, ops_value in pairs if fac_value != ops_value])

    def note_live_rows(self, ids: list[int], kind: str) -> None:
        """Of these OPS rows (not in FAC), the ones not marked deleted are differences."""
        for start in range(0, len(ids), 1000):
            rows = sql.rows_by_id(self.ops, self.mapping.ops_table, ["id", "deleted_at"], ids[start : start + 1000])
            for row_id, (_, deleted_at) in sorted(rows.items()):
                if deleted_at is None:
                    self.note(row_id, kind, ["deleted_at"])


def verify_table(*, mapping: TableMapping, keep_all_changes: bool = False) -> TableOutcome:
    return TableVerification(mapping, keep_all_changes).run()
