"""A sync run: the lock, the FAC check, each table in turn, and the record of it all.

The record keeps what went wrong as messages (syncapp.common.messages), shown in each reader's
language; the log has it in English, one line per run and per table.
"""

import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from syncapp.common.messages import Message, in_english, is_message, message
from syncapp.common.text import escaped
from syncapp.config.databases import FacUnreachable, error_reason, fac_check
from syncapp.config.mapping import TableMapping, table_names, tables_resolve
from syncapp.engine.bulk import staging_clear
from syncapp.engine.lock import SyncLock
from syncapp.engine.outcome import (
    CHANGES_KEPT,
    ROW_ERRORS_KEPT,
    Progress,
    RunContext,
    RunStopped,
    SyncOptions,
    TableOutcome,
)
from syncapp.engine.state import state_last_run_set
from syncapp.engine.table import table_sync
from syncapp.engine.verify import table_verify
from syncapp.models import TOTALS, SyncRun, SyncTableResult, current_host, current_pid
from syncapp.sql import server
from syncapp.sql.execute import run_pair
from syncapp.status.selectors import lock_holder_message, running_run

logger = logging.getLogger("opsync.sync")
QUEUED_FOR_AT_MOST = timedelta(hours=1)  # a queued run whose process never came is abandoned after this


def run_record(options: SyncOptions, *, trigger: str, user=None) -> dict:
    """The fields of a run's record that the options decide."""
    return {
        "tables": [name for name in table_names() if name in options.tables],
        "trigger": trigger,
        "mode": options.mode,
        "dry_run": options.dry_run,
        "triggered_by": user,
        "options": {name: getattr(options, name) for name in ("force", "dry_run", "verify", "allow_mass_delete")},
    }


def run_queue(*, options: SyncOptions, trigger: str, user=None) -> SyncRun:
    """A run to be carried out by another process (the dashboard's buttons): recorded, not started."""
    return SyncRun.objects.create(**run_record(options, trigger=trigger, user=user), status=SyncRun.Status.QUEUED)


def run_detached(*, options: SyncOptions, trigger: str, user=None) -> SyncRun:
    """A run recorded now and carried out by a `manage.py sync_from_facturation` of its own, detached
    from the caller (a web request returns at once): its record says how it goes."""
    run = run_queue(options=options, trigger=trigger, user=user)
    command = [
        sys.executable,
        str(settings.BASE_DIR / "manage.py"),
        "sync_from_facturation",
        "--trigger",
        trigger,
        "--queued-run",
        str(run.pk),
        *(["--dry-run"] if options.dry_run else []),
    ]
    quiet = subprocess.DEVNULL  # what it does goes to its record and the sync log
    try:
        subprocess.Popen(  # noqa: S603 (our own manage.py, with our own arguments)
            command, cwd=settings.BASE_DIR, stdin=quiet, stdout=quiet, stderr=quiet, start_new_session=True
        )
    except OSError as exc:
        finish(run, SyncRun.Status.FAILED, [message("not_started", reason=str(exc))])
    return run


def run_from_dashboard(*, options: SyncOptions, user) -> tuple[SyncRun, bool]:
    """A button's run, one at a time: (the run, whether it was started now).

    While a run started from the admin is queued or running, a click (a double click, thirty
    clicks) gets that run and starts nothing. The check and the start are made under a lock of
    their own, so that two clicks cannot both find nothing and both start.
    """
    lock = SyncLock(purpose="dashboard")
    held = lock.acquire_within(5)
    try:
        since = timezone.now() - QUEUED_FOR_AT_MOST
        pending = SyncRun.objects.filter(
            trigger=SyncRun.Trigger.ADMIN,
            status__in=(SyncRun.Status.QUEUED, SyncRun.Status.RUNNING),
            started_at__gte=since,
        ).first()
        if pending is not None:
            return pending, False
        return run_detached(options=options, trigger=SyncRun.Trigger.ADMIN, user=user), True
    finally:
        if held:
            lock.release()


def sync_run(
    *,
    options: SyncOptions,
    trigger: str = SyncRun.Trigger.MANUAL,
    user=None,
    queued: SyncRun | None = None,
    on_progress: Progress | None = None,
    on_table: Callable[[SyncTableResult], None] | None = None,
    stop_requested: Callable[[], bool] = lambda: False,
    record_skip: bool = True,
) -> SyncRun | None:
    """Run the sync (or, with options.verify, the comparison) once and return its record.

    `queued` is a record made by run_queue() for this run. Skipped, and recorded as such, when
    another run holds the lock (unless not `record_skip`: then None). `stop_requested` is asked
    between batches: True rolls the table in hand back and ends the run, recorded as stopped.
    """
    record = run_record(options, trigger=trigger, user=user)
    settings.SYNC_LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    lock = SyncLock()
    if not lock.acquire():
        if not record_skip:
            return None
        holder = lock_holder_message(running_run())
        run = run_save(queued, record, status=SyncRun.Status.SKIPPED, finished_at=timezone.now())
        problems_set(run, [holder])
        run.save()
        logger.info("run #%s skipped: %s", run.pk, in_english(holder))
        return run
    try:
        dead_runs_abandon(keep=queued)
        if cleared := staging_clear():  # FAC's rows a killed first copy left in the temporary folder
            logger.warning("removed %s file(s) of FAC rows an interrupted run had staged", cleared)
        run = run_save(queued, record, status=SyncRun.Status.RUNNING, started_at=timezone.now())
        logger.info(
            "run #%s start: trigger=%s mode=%s%s tables=%s",
            run.pk,
            trigger,
            run.mode,
            " dry-run" if options.dry_run else "",
            ",".join(run.tables),
        )
        run_tables(run, RunContext(options, on_progress=on_progress, stop_requested=stop_requested), on_table)
        return run
    finally:
        lock.release()


def run_save(queued: SyncRun | None, record: dict, **fields) -> SyncRun:
    """The run's record: a new one, or the queued one, now this process's."""
    if queued is None:
        return SyncRun.objects.create(**record, **fields)
    for name, value in {**fields, "host": current_host(), "pid": current_pid()}.items():
        setattr(queued, name, value)
    queued.save()
    return queued


def dead_runs_abandon(*, keep: SyncRun | None) -> None:
    """Runs still marked running while we hold the lock died without finishing (kill -9); queued
    runs whose process never came are given up after a while."""
    stalled = SyncRun.objects.filter(status=SyncRun.Status.QUEUED, started_at__lt=timezone.now() - QUEUED_FOR_AT_MOST)
    dead_runs = SyncRun.objects.filter(status=SyncRun.Status.RUNNING) | stalled
    if keep is not None:
        dead_runs = dead_runs.exclude(pk=keep.pk)
    for dead in dead_runs:
        dead.status = SyncRun.Status.ABANDONED
        dead.finished_at = timezone.now()
        problems_set(dead, [message("abandoned")])
        dead.save(update_fields=["status", "finished_at", "problems", "error"])
        logger.warning("run #%s abandoned: its process ended without finishing", dead.pk)


@contextmanager
def signals_stop(stop: Callable[[], None], signals=(signal.SIGTERM, signal.SIGINT)) -> Iterator[None]:
    """SIGTERM and SIGINT (or those given) call `stop` instead of ending the process. A system call
    they interrupt (a query waiting on the server) is resumed, not failed, so the batch in hand ends
    cleanly. Only the main thread receives signals: elsewhere, nothing is changed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for number in signals:
        previous[number] = signal.signal(number, lambda *_: stop())
        signal.siginterrupt(number, False)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def stoppable_run(**kwargs) -> SyncRun | None:
    """sync_run, with SIGTERM as a request to stop (cron's run when the machine shuts down, `systemctl
    stop` during a manual one), as the watcher takes it: the table in hand rolled back whole, the run
    recorded as stopped, what it staged removed, within seconds. Ctrl-C stays an interruption."""
    stop = threading.Event()
    with signals_stop(stop.set, signals=(signal.SIGTERM,)):
        return sync_run(stop_requested=stop.is_set, **kwargs)


def run_tables(run: SyncRun, context: RunContext, on_table) -> None:
    """FAC asked once for what every table needs of it (its clock, its schema), then each table in turn."""
    options = context.options
    try:
        tables, clock = fac_ready(run.tables)
    except FacUnreachable as exc:
        for name in run.tables:  # each table's last outcome is this failure (dashboard, --status)
            table_result_record(run, TableOutcome(name, problem=exc.problem), options)
        finish(run, SyncRun.Status.FAILED, [exc.problem])
        return
    context.fac_now, context.oldest_open = clock.now, clock.oldest_open
    if context.cursor_held is not None and clock.oldest_open is not None:
        logger.info(
            "run #%s cursors held at %s UTC: a FAC transaction has been writing for %ss, longer than the look-back",
            run.pk,
            context.cursor_held.isoformat(timespec="seconds"),
            int(clock.oldest_open.total_seconds()),
        )
    outcomes: list[TableOutcome] = []
    try:
        with run_pair():  # OPS's aggregate pass beside FAC's, on one connection for every table
            run_each(run, tables, context, on_table, outcomes)
    except RunStopped:
        done = {outcome.table for outcome in outcomes}
        left = ", ".join(name for name in run.tables if name not in done)
        finish(run, SyncRun.Status.STOPPED, [message("stopped", tables=left)])
        return
    except BaseException as exc:
        # A bug or an interruption (Ctrl-C): say so in the record, then let it go on.
        finish(run, SyncRun.Status.FAILED, [message("interrupted", reason=f"{exc.__class__.__name__}: {exc}")])
        raise
    finish(run, run_status(outcomes, options.verify), run_problems(outcomes, options))


def run_each(
    run: SyncRun, tables: list[TableMapping], context: RunContext, on_table, outcomes: list[TableOutcome]
) -> None:
    """Each table in turn, its outcome recorded (and added to `outcomes`) as soon as it is known."""
    options = context.options
    for mapping in tables:
        if context.stop_requested():
            raise RunStopped
        if options.verify:
            outcome = table_verify(mapping=mapping, keep_all_changes=options.keep_all_changes)
        else:
            outcome = table_sync(mapping=mapping, context=context)
        result = table_result_record(run, outcome, options)
        outcomes.append(outcome)
        if on_table:
            on_table(result)


def fac_ready(names: list[str]) -> tuple[list[TableMapping], server.Clock]:
    """FAC answers; each table resolved against FAC's schema, read once for them all; FAC's clock.
    FacUnreachable when FAC does not answer, or fails one of these queries."""
    fac_check()
    try:
        return tables_resolve(names)
    except DatabaseError as exc:
        raise FacUnreachable(message("fac_query_failed", reason=error_reason(exc))) from None


def run_problems(outcomes: list[TableOutcome], options: SyncOptions) -> list[Message]:
    """What went wrong, each cause once with the tables it touched (« clients, transitaires : … »)."""
    failed: dict[str, tuple[list[str], Message]] = {}
    for outcome in outcomes:
        if outcome.problem:
            failed.setdefault(repr(outcome.problem), ([], outcome.problem))[0].append(outcome.table)
    problems = [message("table_failed", table=", ".join(names), problem=problem) for names, problem in failed.values()]
    differing = ", ".join(
        f"{o.table} ({o.differences - o.collisions})" for o in outcomes if o.differences > o.collisions
    )
    if differing:
        problems.insert(0, message("ops_differs", tables=differing))
    if options.verify and (colliding := [o for o in outcomes if o.collisions]):
        tables = ", ".join(f"{o.table} ({o.collisions})" for o in colliding)
        problems.insert(0, message("ops_collides", tables=tables, table=colliding[0].table))
    repaired = ", ".join(f"{o.table} ({o.changed})" for o in outcomes if o.changed)
    if options.repair and repaired:
        problems.insert(0, message("repaired", tables=repaired))
    return problems


def run_status(outcomes: list[TableOutcome], verifying: bool) -> str:
    if outcomes and (all(o.problem for o in outcomes) or (verifying and any(o.errors for o in outcomes))):
        return SyncRun.Status.FAILED
    if any(o.errors for o in outcomes):
        return SyncRun.Status.PARTIAL
    return SyncRun.Status.SUCCESS


def result_status(outcome: TableOutcome) -> str:
    if outcome.problem or outcome.differences:
        return SyncTableResult.Status.FAILED
    return SyncTableResult.Status.PARTIAL if outcome.failed_ids else SyncTableResult.Status.SUCCESS


def table_result_record(run: SyncRun, outcome: TableOutcome, options: SyncOptions) -> SyncTableResult:
    """The table's result, as every reader renders it: the command, the run's page, the mails (with -v 3,
    every change is kept, as the command then shows them all)."""
    counts = outcome.counts()
    result = SyncTableResult.objects.create(
        run=run,
        table=outcome.table,
        status=result_status(outcome),
        errors=outcome.errors,
        refused=len(outcome.failed_ids),
        collisions=outcome.collisions,
        cursor_before=outcome.cursor_before,
        cursor_after=outcome.cursor_after,
        duration_seconds=outcome.duration,
        problem=outcome.problem,
        error=outcome.error,
        row_errors=outcome.row_errors,
        changes=outcome.changes if options.keep_all_changes else outcome.changes[:CHANGES_KEPT],
        differences=outcome.differences,
        latency_seconds=outcome.latency,
        attempts=outcome.attempts,
        retry_reason=outcome.retry_reason,
        retry_seconds=outcome.retry_seconds,
        fac_scan_seconds=outcome.scan_seconds,
        **counts,
    )
    for name, value in counts.items():
        setattr(run, name, getattr(run, name) + value)
    run.errors += outcome.errors
    if not (options.dry_run or options.verify or outcome.problem):
        state_last_run_set(outcome.table, run)
    table_result_log(run, outcome, counts)
    return result


def table_result_log(run: SyncRun, outcome: TableOutcome, counts: dict[str, int]) -> None:
    retried = ""
    if outcome.attempts > 1:
        retried = f" tries={outcome.attempts} ({in_english(outcome.retry_reason)}; {outcome.retry_seconds:.2f}s lost)"
    logger.info(
        "run #%s %s %s %s cursor=%s %.2fs%s%s%s",
        run.pk,
        outcome.table,
        result_status(outcome),
        " ".join(f"{name}={value}" for name, value in counts.items()),
        outcome.cursor_after.isoformat() if outcome.cursor_after else "-",
        outcome.duration,
        retried,
        f" latency={outcome.latency:.1f}s" if outcome.latency is not None else "",
        f" error: {outcome.error}" if outcome.problem else "",
    )
    for row_error in outcome.row_errors:
        reason = row_error["params"].get("reason")  # a collision has none
        server = reason["params"].get("server") if is_message(reason) else None
        logger.error(
            "run #%s %s %s%s", run.pk, outcome.table, row_error["reason"], f" ({escaped(server)})" if server else ""
        )
    if len(outcome.failed_ids) > ROW_ERRORS_KEPT:
        more = len(outcome.failed_ids) - ROW_ERRORS_KEPT
        logger.error("run #%s %s and %s more rows not stored (all read again next run)", run.pk, outcome.table, more)


def problems_set(run: SyncRun, problems: list[Message]) -> None:
    run.problems = problems
    run.error = "; ".join(in_english(problem) for problem in problems)


def finish(run: SyncRun, status: str, problems: list[Message]) -> None:
    run.status = status
    problems_set(run, problems)
    run.finished_at = timezone.now()
    run.save()
    totals = " ".join(f"{name}={getattr(run, name)}" for name in (*TOTALS, "errors"))
    seconds = (run.finished_at - run.started_at).total_seconds()
    error = f" error: {run.error}" if run.error else ""
    logger.info("run #%s %s in %.2fs: %s%s", run.pk, status, seconds, totals, error)
