"""syncapp/engine/outcome.py: what a table's try leaves behind when it fails (no database)."""

from datetime import UTC, datetime

from syncapp.common.messages import message
from syncapp.engine.outcome import TableOutcome


def test_a_failed_try_keeps_only_its_problem():
    before, after = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    outcome = TableOutcome("clients", cursor_before=before, cursor_after=after, attempts=2)
    for counter in ("inserted", "updated", "deleted", "restored", "unchanged", "ops_only"):
        setattr(outcome, counter, 3)
    outcome.differences, outcome.collisions, outcome.loaded = 4, 5, 6
    outcome.refuse(7, message("database_error", reason="x"))
    outcome.keep({"id": 8, "action": "insert", "columns": []}, keep_all=False)

    outcome.fail(message("database_error", reason="OPS went away"))

    assert outcome.counts() == dict.fromkeys(("inserted", "updated", "deleted", "restored", "unchanged", "ops_only"), 0)
    assert (outcome.differences, outcome.collisions, outcome.loaded) == (0, 0, 0)
    assert (outcome.row_errors, outcome.failed_ids, outcome.changes) == ([], [], [])
    assert outcome.cursor_after == before
    assert outcome.errors == 1  # the problem itself
    assert outcome.attempts == 2  # how many tries it took is not undone by the last one failing
