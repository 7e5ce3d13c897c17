"""The sync of one FAC table into its OPS mirror. Free of printing: callers render outcomes.

For each table, inside one OPS transaction:

1. Check that FAC still has every mirrored column (schema drift fails the table).
2. Plan what to read (engine/plan.py): incremental, or full on --force and the first run.
3. Carry out the plan's steps: read FAC (engine/source.py), compare with the mirror and
   write what differs (engine/mirror.py).
4. Refuse a run that would mark too many live rows deleted, then move the cursor
   (engine/cursor.py). A lock wait timeout or a deadlock in OPS retries the whole table.
"""

import time
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connections, transaction

from syncapp.common.aliases import FAC_ALIAS, OPS_ALIAS
from syncapp.common.clock import zone_offset
from syncapp.common.messages import message
from syncapp.config.databases import LOCK_ERRORS, OpsFull, broken_connections_drop, error_code, error_reason
from syncapp.config.mapping import TableMapping
from syncapp.engine.cursor import aware, naive_utc, next_cursor
from syncapp.engine.mirror import MirrorWriter
from syncapp.engine.outcome import RunContext, RunStopped, TableFailed, TableOutcome
from syncapp.engine.plan import (
    CompareIds,
    CopyRange,
    MarkGone,
    ReadChanged,
    ReadIds,
    ReadRange,
    Step,
    Unchanged,
    full_plan,
    ids_differing,
    incremental_plan,
    targeted_plan,
)
from syncapp.engine.schema import schema_problem
from syncapp.engine.source import FacReader
from syncapp.engine.state import state_of, state_save
from syncapp.models import SyncState
from syncapp.sql import server


def table_sync(*, mapping: TableMapping, context: RunContext) -> TableOutcome:
    """One table, retried from the start when OPS times out on a lock or picks it for a deadlock."""
    broken_connections_drop()  # FAC may have dropped us since the last table
    attempts = settings.SYNC_WRITE_RETRIES
    lost, reason = 0.0, None  # what the failed tries took, and why the last one failed
    for tries in range(1, attempts + 1):
        outcome = attempt(mapping, context)
        lock_problem = outcome.problem if outcome.retryable else None  # a lock wait timeout or a deadlock
        if lock_problem is None or tries == attempts:
            break
        lost, reason = lost + outcome.duration, message(f"{lock_problem['code']}_retried")
    if lock_problem is not None:
        lock_problem["params"]["attempts"] = attempts
    outcome.attempts, outcome.retry_reason, outcome.retry_seconds = tries, reason, lost
    outcome.duration += lost  # the table's whole time, its retries included
    return outcome


def attempt(mapping: TableMapping, context: RunContext) -> TableOutcome:
    """One try at a table: everything applied, or (on a failure) nothing."""
    # Not saved before the table applied: a dry run leaves no state behind, not even this.
    state = state_of(mapping.name)
    outcome = TableOutcome(mapping.name, cursor_before=state.cursor)
    started = time.monotonic()
    try:
        if problem := schema_problem(mapping):
            raise TableFailed(problem)
        ops = connections[OPS_ALIAS]
        if ops.vendor == "mysql":  # fail fast on a lock, then retry the table
            server.lock_wait_timeout_set(ops, settings.SYNC_LOCK_WAIT_TIMEOUT)
        with transaction.atomic(using=OPS_ALIAS):
            newest_written = apply(mapping, context, state, outcome)
        if newest_written is not None:
            outcome.latency = change_latency(newest_written, timedelta(seconds=state.fac_clock_ahead or 0))
    except TableFailed as exc:
        outcome.fail(exc.problem)
    except DatabaseError as exc:
        OpsFull.note(exc)
        code = error_code(exc)
        outcome.retryable = code in LOCK_ERRORS
        reason = error_reason(exc)
        outcome.fail(
            message(LOCK_ERRORS[code], attempts=1, reason=reason)
            if outcome.retryable
            else message("database_error", reason=reason)
        )
    outcome.duration = time.monotonic() - started
    return outcome


def change_latency(newest_written: datetime, offset: timedelta) -> float | None:
    """Committed: how long the newest change written took to arrive, by FAC's clock, without the
    offset of FAC's timestamps (syncapp/common/clock.py)."""
    try:
        age = server.utc_now(connections[FAC_ALIAS]) - newest_written
    except DatabaseError:  # FAC dropped just after the commit: the table is applied all the same
        return None
    return max((age + offset).total_seconds(), 0.0)


def apply(mapping: TableMapping, context: RunContext, state: SyncState, outcome: TableOutcome) -> datetime | None:
    """The table's plan carried out; returns, for an incremental run that wrote rows, the newest
    FAC updated_at among them (naive UTC)."""
    options = context.options
    fac_now = context.fac_now or server.utc_now(connections[FAC_ALIAS])
    writer = MirrorWriter(mapping, context, outcome, high_water=state.fac_high_id if mapping.adopted else None)
    # An adopted table never compared yet (its adoption) is compared whole: each OPS row at an id
    # FAC has is decided once, then (engine/ownership.py).
    first_comparison = mapping.adopted and state.fac_high_id is None
    # A table without a cursor (no updated_at) is compared whole, by range checksums, on every run.
    after_id = dict(options.watch_from).get(mapping.name)
    if options.full or state.cursor is None or first_comparison or mapping.cursor is None:
        plan = full_plan(mapping, vanished=writer.vanished)
    elif after_id is not None:  # the watcher's early sync: what the change can have touched
        since = naive_utc(state.cursor - options.lookback)
        plan = targeted_plan(mapping, since=since, retry_ids=state.retry_ids, after_id=after_id)
    else:
        since = naive_utc(state.cursor - options.lookback)
        plan = incremental_plan(mapping, since=since, retry_ids=state.retry_ids)
    outcome.scan_seconds = plan.scan_seconds
    reader = FacReader(mapping, batch_size=options.batch_size, remember_ids=not plan.full)
    stop_or_progress(context, mapping, writer, plan.total)
    for step in plan.steps:
        for _ in step_carry_out(step, reader, writer):
            stop_or_progress(context, mapping, writer, plan.total)
    mass_delete_guard(writer.marked_gone, plan.live_before, context)
    cursor = next_cursor(
        previous=naive_utc(state.cursor),
        newest_read=plan.newest if plan.full else reader.newest,
        fac_now=fac_now,
        oldest_failed=writer.oldest_failed,
        full=plan.full,
        held=context.cursor_held,
    )
    outcome.cursor_after = aware(cursor)
    ahead = state.fac_clock_ahead
    if not plan.full and writer.newest_written is not None:  # a fresh change tells FAC's zone
        ahead = clock_ahead(writer.newest_written - fac_now, state.fac_clock_ahead)
    if not options.dry_run:
        highest = (state.fac_high_id, plan.fac_high_id, reader.highest_id, writer.highest_id)
        fac_high_id = max((i for i in highest if i), default=None) if mapping.adopted else None
        fac_cursor = (mapping.cursor, mapping.cursor_indexed)
        state_save(state=state, outcome=outcome, fac_high_id=fac_high_id, fac_clock_ahead=ahead,
                   seen=plan.fac_seen, fac_cursor=fac_cursor)  # fmt: skip
    return None if (plan.full or options.dry_run) else writer.newest_written


def clock_ahead(ahead: timedelta, known: int | None) -> int:
    """How far FAC's timestamps run ahead of its clock, in seconds, from a change just written.

    The newest change of a run may be older than it looks (a late commit), so a smaller offset
    than the known one does not lower it; a change that shows none resets it.
    """
    offset = int(zone_offset(ahead).total_seconds())
    return max(offset, known or 0) if offset else 0


def step_carry_out(step: Step, reader: FacReader, writer: MirrorWriter) -> Iterator[None]:
    """Carry out one step of the plan, pausing after each batch (for the progress bar)."""
    match step:
        case ReadChanged(since, ranges):
            for batch in reader.changed(since, ranges):
                writer.apply(batch)
                yield
        case ReadIds(ids):
            for batch in reader.by_ids(ids):
                writer.apply(batch)
                yield
        case ReadRange(low, high):
            for batch in reader.between(low, high):
                writer.apply(batch)
                yield
        case CompareIds(ranges):
            new_ids, gone_ids = ids_differing(writer.mapping, ranges)
            for batch in reader.by_ids(new_ids):
                writer.apply(batch)
                yield
            writer.mark_gone(gone_ids)
        case CopyRange(low, high):
            writer.copy_range(low, high, read=reader.between)
            yield
        case MarkGone(ids):
            writer.mark_gone(ids)
        case Unchanged(rows):
            writer.skip_unchanged(rows)
            yield


def stop_or_progress(context: RunContext, mapping: TableMapping, writer: MirrorWriter, total: int | None) -> None:
    """After each batch: the progress bar, and a stop asked for (SIGTERM to the watcher), which
    rolls the table back whole."""
    if context.stop_requested():
        raise RunStopped
    if context.on_progress:
        context.on_progress(mapping.name, writer.processed, total)


def mass_delete_guard(deleted: int, live_before: int, context: RunContext) -> None:
    """An empty or wrong FAC table must not wipe the mirror: stop past a share of its live rows marked
    deleted because FAC no longer has them. Soft deletes are FAC's own word (six clients a billing
    user deletes at once are ordinary work): they never fire it. Only plans that look for vanished
    rows mark any, and each counts the live rows it measures them against."""
    options = context.options
    limit = max(options.max_delete_ratio * live_before, options.max_delete_floor)
    if deleted > limit and not options.allow_mass_delete:
        percent = round(options.max_delete_ratio * 100)
        raise TableFailed(message("mass_delete", deleted=deleted, live=live_before, percent=percent))
