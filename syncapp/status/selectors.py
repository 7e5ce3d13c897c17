"""The read side: where the sync stands, for --status, the dashboard, alerts, /healthz and retention.

Nothing here writes, and nothing here imports the modules that do (the engine, runs): what
"healthy", "stale" and "failing" mean is decided here, once, from the records.
"""

import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from statistics import median
from typing import cast

from django.db import connections
from django.db.models import Max, QuerySet
from django.utils import timezone

from syncapp.common.aliases import FAC_ALIAS
from syncapp.common.clock import without_offset
from syncapp.common.formats import age, duration, local_time
from syncapp.common.messages import Message, message
from syncapp.config.databases import FacUnreachable, fac_check
from syncapp.config.mapping import TableMapping, mappings
from syncapp.engine.lock import SyncLock
from syncapp.models import OpsOnlyRow, SyncRun, SyncState, SyncTableResult, VanishedRow, Watcher
from syncapp.sql import ddl, rows, server
from syncapp.sql.side import Side
from syncapp.status.levels import Level
from syncapp.status.problems import Problem, table_problems, watcher_problems
from syncapp.status.states import Latency, TableStatus, WatcherStatus

CHART_RUNS = 30  # the runs the dashboard's chart draws
FAILURES_SHOWN = 10
FAILING = (SyncRun.Status.FAILED, SyncRun.Status.PARTIAL)
LATENCY_OVER = timedelta(hours=24)  # the window of the latency figures
LATENCY_RUNS = 2000  # at most this many table results in them (the newest)


def lock_holder_message(run: SyncRun | None) -> Message:
    """Who holds the lock, as a message."""
    if run is None:
        return message("locked_unrecorded")
    return message("locked", run=run.pk, host=run.host, pid=run.pid, started=local_time(run.started_at))


def running_run() -> SyncRun | None:
    return SyncRun.objects.filter(status=SyncRun.Status.RUNNING).order_by("-started_at").first()


def last_real_run() -> SyncRun | None:
    """The newest finished run that tried to apply something (not a dry run, not skipped)."""
    runs = SyncRun.objects.filter(dry_run=False, finished_at__isnull=False)
    return runs.exclude(status=SyncRun.Status.SKIPPED).order_by("-started_at", "-id").first()


def chart_runs() -> QuerySet[SyncRun]:
    """The runs the chart draws: the last finished ones, skipped and abandoned too; not the previews."""
    return SyncRun.objects.filter(finished_at__isnull=False, dry_run=False).order_by("-started_at")[:CHART_RUNS]


def recent_failures() -> QuerySet[SyncRun]:
    return SyncRun.objects.filter(status__in=FAILING).order_by("-started_at")[:FAILURES_SHOWN]


def runs_in_use() -> set[int]:
    """Runs that must outlive retention: each table's latest, those the dashboard shows, any running."""
    latest_per_table = SyncTableResult.objects.values("table").annotate(latest=Max("run_id")).values("latest")
    return (
        set(latest_per_table.values_list("latest", flat=True))
        | set(SyncState.objects.exclude(last_run=None).values_list("last_run_id", flat=True))
        | set(chart_runs().values_list("pk", flat=True))
        | set(recent_failures().values_list("pk", flat=True))
        | set(SyncRun.objects.filter(status=SyncRun.Status.RUNNING).values_list("pk", flat=True))
    )


def latency_last_day() -> Latency:
    since = timezone.now() - LATENCY_OVER
    results = SyncTableResult.objects.filter(started_at__gte=since, latency_seconds__isnull=False)
    latest = results.order_by("-started_at").values_list("latency_seconds", flat=True)[:LATENCY_RUNS]
    values = cast(list[float], list(latest))  # latency_seconds__isnull=False: no None among them
    if not values:
        return Latency(None, None, 0)
    return Latency(median(values), max(values), len(values))


def watcher_status() -> WatcherStatus:
    record = Watcher.objects.order_by("-beat_at").first()
    return WatcherStatus(record, record is not None and record.stopped_at is None and record.process_gone())


@dataclass
class SyncStatus:
    tables: list[TableStatus]
    fac_error: Message | None
    fac_checked: bool
    lock_holder: Message | None
    last_run: SyncRun | None  # last_real_run()
    watcher: WatcherStatus
    latency: Latency

    @property
    def last_run_failed(self) -> bool:
        return self.last_run is not None and self.last_run.status in FAILING

    @property
    def problems(self) -> list[Problem]:
        """What is wrong now, the most serious first: FAC unreachable (when asked), the last run
        failed, tables stale, rows refused, tables late."""
        found = []
        if self.fac_error:
            plain = message("plain_fac")
            found.append(Problem("fac_unreachable", Level.CRITICAL, self.fac_error, message("advice_fac"), plain))
        found += table_problems(self.tables)
        run = self.last_run
        if run is not None and self.last_run_failed and not any(p.kind in ("failed", "refused") for p in found):
            # A failure no table carries (the run stopped before its tables): said as the run's.
            recorded = message("as_recorded", text=run.error) if run.error else message("rows_refused_run")
            reason = run.problems or [recorded]
            level = Level.CRITICAL if run.status == SyncRun.Status.FAILED else Level.WARNING
            what = message("run_failed", run=run.pk, reason=reason)
            found.append(Problem("run_failed", level, what, message("advice_run", run=run.pk), message("plain_run")))
        found += watcher_problems(self.watcher)
        return sorted(found, key=lambda problem: -problem.level)

    @property
    def level(self) -> Level:
        return max((problem.level for problem in self.problems), default=Level.OK)

    @property
    def fac_clock_note(self) -> Message | None:
        """Once for every table: FAC's timestamps run ahead of its clock (lag and latency leave it out)."""
        ahead = [table for table in self.tables if table.fac_clock_ahead]
        if not ahead:
            return None
        offset = max(table.fac_clock_ahead for table in ahead)
        return message("fac_clock_ahead", offset=age(offset), tables=", ".join(table.table for table in ahead))

    @property
    def index_notes(self) -> list[Message]:
        """The tables FAC can only scan whole to find their changes: their size, their last scan's time,
        and the statement for FAC's administrator (--check says the same). None for a SQLite FAC: the
        demo's, a few dozen rows, where the advice would be the whole of its first screen."""
        if connections[FAC_ALIAS].vendor == "sqlite":
            return []
        return [
            message(
                "no_cursor_index",
                table=table.table,
                column=table.cursor_column,
                count=table.fac_rows or 0,
                seconds=duration(table.fac_scan_seconds) if table.fac_scan_seconds is not None else "-",
                statement=table.cursor_index_statement,
            )
            for table in self.tables
            if table.scans_whole
        ]

    @property
    def healthy(self) -> bool:
        """Fresh and not failing (a table merely late is still healthy)."""
        return not any(problem.failing for problem in self.problems)


def table_status(mapping: TableMapping, *, counts: bool = True, differs: SyncTableResult | None = None) -> TableStatus:
    """A table's state from OPS's records alone: FAC's rows, its newest change and its index are
    what the last run that applied learnt of them (`fac_seen_at` says when), never asked of FAC
    here. Without `counts` (the health check), no table is counted on either side."""
    state = SyncState.objects.filter(table=mapping.name).first() or SyncState(table=mapping.name)
    live = deleted = None
    if counts and (side := ops_counted(mapping)) is not None:
        live, deleted = rows.live_and_deleted_count(side)
    offset = timedelta(seconds=state.fac_clock_ahead or 0)
    lag = None
    if state.fac_newest is not None and state.cursor is not None:
        lag = without_offset(state.fac_newest - state.cursor, offset)
    results = SyncTableResult.objects.filter(table=mapping.name, run__dry_run=False)
    cursor = state.fac_cursor or None
    return TableStatus(
        table=mapping.name,
        ops_table=mapping.ops_table,
        adopted=mapping.adopted,
        last_success_at=state.last_success_at,
        cursor=state.cursor,
        ops_live=live,
        ops_deleted=deleted,
        ops_only=OpsOnlyRow.objects.filter(table=mapping.name).count() if counts else 0,
        vanished=VanishedRow.objects.filter(table=mapping.name).count() if counts else 0,
        marks_deletions=mapping.ops_deleted_at_declared is not None,
        fac_rows=state.fac_rows,
        fac_seen_at=state.fac_seen_at,
        lag=lag,
        fac_clock_ahead=offset,
        scans_whole=cursor is not None and state.fac_cursor_indexed is False,
        cursor_column=cursor,
        cursor_index_statement=ddl.index_statement("mysql", mapping.fac_table, cursor) if cursor else "",
        fac_scan_seconds=state.fac_scan_seconds,
        last_result=results.order_by("-run__started_at").first(),
        differs=differs,
    )


def unrepaired_differences() -> dict[str, SyncTableResult]:
    """By table, its result in the last --verify that ended, where it found OPS different and no full
    run (--force, the daily check) has succeeded on the table since: the incremental runs after it
    may leave the difference where it is (a FAC commit older than their look-back), so their success
    does not clear it. Read once for every table: the last verification is an index lookup
    (syncrun_mode_started_at), and a verification that found nothing costs nothing more."""
    ended = SyncRun.objects.filter(mode=SyncRun.Mode.VERIFY, dry_run=False, finished_at__isnull=False)
    verification = ended.order_by("-started_at").first()
    if verification is None:
        return {}
    found = {result.table: result for result in verification.results.all() if result.differences_found}
    if not found:
        return {}
    full_runs = SyncRun.objects.filter(
        mode__in=(SyncRun.Mode.FORCE, SyncRun.Mode.REPAIR), started_at__gt=verification.started_at
    )
    repaired = SyncTableResult.objects.filter(
        run__in=full_runs, table__in=list(found), status=SyncTableResult.Status.SUCCESS
    ).values_list("table", flat=True)
    for table in set(repaired):
        del found[table]
    return found


def ops_counted(mapping: TableMapping) -> Side | None:
    """The OPS table as the status counts it, known without FAC (mapping.ops_counted); None when a
    declared table's OPS table is not there (its mirror not made yet, or refused). An adopted table
    that takes every FAC column has FAC's deleted_at only if OPS has a column of that name."""
    side = mapping.ops_counted
    if mapping.built_in and not mapping.adopted:
        return side  # made by opsync's migrations, with its deleted_at
    columns = server.table_columns(side.connection, side.table)
    if columns is None:
        return None
    if side.deleted_at and side.deleted_at not in columns:
        return dataclasses.replace(side, deleted_at=None)
    return side


def sync_status(*, check_fac: bool = True) -> SyncStatus:
    """The state of every table, from OPS's records; FAC is asked only whether it answers, when check_fac."""
    fac_error = None
    if check_fac:
        try:
            fac_check()
        except FacUnreachable as exc:
            fac_error = exc.problem
    differences = unrepaired_differences()
    tables = [table_status(m, differs=differences.get(m.name)) for m in mappings()]
    return status_of(tables, fac_error=fac_error, fac_checked=check_fac)


def health_status() -> SyncStatus:
    """For /healthz/sync, which anyone may call often: from the records alone, no table counted."""
    differences = unrepaired_differences()
    tables = [table_status(m, counts=False, differs=differences.get(m.name)) for m in mappings()]
    return status_of(tables, fac_error=None, fac_checked=False)


def status_of(tables: list[TableStatus], *, fac_error: Message | None, fac_checked: bool) -> SyncStatus:
    holder = lock_holder_message(running_run()) if SyncLock().is_held() else None
    return SyncStatus(
        tables=tables,
        fac_error=fac_error,
        fac_checked=fac_checked,
        lock_holder=holder,
        last_run=last_real_run(),
        watcher=watcher_status(),
        latency=latency_last_day(),
    )
