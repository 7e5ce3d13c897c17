"""A sync run: the lock, the FAC check, each table in turn, and the record of it all."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from syncapp.databases import FacUnreachable, fac_check
from syncapp.engine.outcome import CHANGES_KEPT, Progress, RunContext, SyncOptions, TableOutcome
from syncapp.engine.table import sync_table
from syncapp.lock import SyncLock
from syncapp.mapping import TABLE_NAMES, mapping_for
from syncapp.models import COUNTERS, SyncRun, SyncState, SyncTableResult
from syncapp.selectors import describe_run, running_run
from syncapp.verify import verify_table

logger = logging.getLogger("opsync.sync")


def sync_run(
    *,
    options: SyncOptions,
    trigger: str = SyncRun.Trigger.MANUAL,
    user=None,
    on_progress: Progress | None = None,
    on_table: Callable[[TableOutcome], None] | None = None,
) -> SyncRun:
    """Run the sync (or, with options.verify, the comparison) once and return its record.

    Skipped, and recorded as such, when another run holds the lock.
    """
    tables = [name for name in TABLE_NAMES if name in options.tables]
    mode = SyncRun.Mode.VERIFY if options.verify else SyncRun.Mode.FORCE if options.force else SyncRun.Mode.INCREMENTAL
    record = {
        "tables": tables,
        "trigger": trigger,
        "mode": mode,
        "dry_run": options.dry_run,
        "triggered_by": user,
        "options": {name: getattr(options, name) for name in ("force", "dry_run", "verify", "allow_mass_delete")},
    }
    settings.SYNC_LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    lock = SyncLock()
    if not lock.acquire():
        holder = describe_run(running_run())
        run = SyncRun.objects.create(
            **record, status=SyncRun.Status.SKIPPED, finished_at=timezone.now(), error=f"{holder} holds the lock"
        )
        logger.info("run #%s skipped: %s holds the lock", run.pk, holder)
        return run
    try:
        abandon_dead_runs()
        run = SyncRun.objects.create(**record)
        logger.info("run #%s start: trigger=%s mode=%s%s tables=%s", run.pk, trigger, run.mode,
                    " dry-run" if options.dry_run else "", ",".join(tables))  # fmt: skip
        run_tables(run, tables, RunContext(options, on_progress=on_progress), on_table)
        return run
    finally:
        lock.release()


def abandon_dead_runs() -> None:
    """Runs still marked running while we hold the lock died without finishing (kill -9)."""
    for dead in SyncRun.objects.filter(status=SyncRun.Status.RUNNING):
        dead.status = SyncRun.Status.ABANDONED
        dead.finished_at = timezone.now()
        dead.error = "the process ended without finishing (killed?); the next run took over"
        dead.save(update_fields=["status", "finished_at", "error"])
        logger.warning("run #%s abandoned: its process ended without finishing", dead.pk)


def run_tables(run: SyncRun, tables: list[str], context: RunContext, on_table) -> None:
    verifying = context.options.verify
    try:
        fac_check()
    except FacUnreachable as exc:
        for name in tables:  # each table's last outcome is this failure (dashboard, --status)
            record_table(run, TableOutcome(name, error=str(exc)), context.options)
        finish(run, SyncRun.Status.FAILED, str(exc))
        return
    try:
        outcomes = []
        for name in tables:
            if verifying:
                outcome = verify_table(mapping=mapping_for(name), keep_all_changes=context.options.keep_all_changes)
            else:
                outcome = sync_table(mapping=mapping_for(name), context=context)
            record_table(run, outcome, context.options)
            outcomes.append(outcome)
            if on_table:
                on_table(outcome)
    except BaseException as exc:
        # A bug or an interruption (Ctrl-C): say so in the record, then let it go on.
        finish(run, SyncRun.Status.FAILED, f"interrupted: {exc.__class__.__name__}: {exc}")
        raise
    error = "; ".join(f"{o.table}: {o.error}" for o in outcomes if o.error)
    if verifying and any(o.differences for o in outcomes):
        differing = ", ".join(f"{o.table} ({o.differences})" for o in outcomes if o.differences)
        error = "; ".join(filter(None, [f"OPS differs from FAC: {differing}; run --force to repair", error]))
    finish(run, run_status(outcomes, verifying), error)


def run_status(outcomes: list[TableOutcome], verifying: bool) -> str:
    if outcomes and (all(o.error for o in outcomes) or (verifying and any(o.errors for o in outcomes))):
        return SyncRun.Status.FAILED
    if any(o.errors for o in outcomes):
        return SyncRun.Status.PARTIAL
    return SyncRun.Status.SUCCESS


def table_status(outcome: TableOutcome) -> str:
    if outcome.error or outcome.differences:
        return SyncTableResult.Status.FAILED
    return SyncTableResult.Status.PARTIAL if outcome.row_errors else SyncTableResult.Status.SUCCESS


def record_table(run: SyncRun, outcome: TableOutcome, options: SyncOptions) -> None:
    counts = outcome.counts()
    SyncTableResult.objects.create(
        run=run,
        table=outcome.table,
        status=table_status(outcome),
        errors=outcome.errors,
        cursor_before=outcome.cursor_before,
        cursor_after=outcome.cursor_after,
        duration_seconds=outcome.duration,
        error=outcome.error,
        row_errors=outcome.row_errors,
        changes=outcome.changes[:CHANGES_KEPT],
        **counts,
    )
    for name, value in counts.items():
        setattr(run, name, getattr(run, name) + value)
    run.errors += outcome.errors
    if not (options.dry_run or options.verify or outcome.error):
        SyncState.objects.filter(table=outcome.table).update(last_run=run)
    logger.info(
        "run #%s %s %s %s cursor=%s %.2fs%s",
        run.pk,
        outcome.table,
        table_status(outcome),
        " ".join(f"{name}={value}" for name, value in counts.items()),
        outcome.cursor_after.isoformat() if outcome.cursor_after else "-",
        outcome.duration,
        f" error: {outcome.error}" if outcome.error else "",
    )
    for row_error in outcome.row_errors:
        logger.error("run #%s %s row id=%s not stored: %s", run.pk, outcome.table, row_error["id"], row_error["reason"])


def finish(run: SyncRun, status: str, error: str) -> None:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.save()
    totals = " ".join(f"{name}={getattr(run, name)}" for name in (*COUNTERS, "errors"))
    seconds = (run.finished_at - run.started_at).total_seconds()
    logger.info("run #%s %s in %.2fs: %s%s", run.pk, status, seconds, totals, f" error: {error}" if error else "")
