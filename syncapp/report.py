"""The command's text: runs, changes and status as lines, for a terminal or a cron mail.

Plain functions that return lines, so that the command only writes them and tests read them.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from syncapp.engine.outcome import TableOutcome
from syncapp.models import COUNTERS, SHOWS_COLUMNS, SyncRun, SyncTableResult
from syncapp.selectors import SyncStatus

COLUMNS = (*COUNTERS, "errors")
CHANGES_SHOWN = 50  # per table at -v 2; -v 3 shows all


def format_age(delta: timedelta | None) -> str:
    if delta is None:
        return "-"
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}min"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}"


def format_time(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def change_lines(outcome: TableOutcome, *, show_all: bool) -> list[str]:
    """One line per change (or difference found), with a count of those left out."""
    shown = outcome.changes if show_all else outcome.changes[:CHANGES_SHOWN]
    lines = []
    for change in shown:
        columns = ", ".join(change["columns"]) if change["action"] in SHOWS_COLUMNS else ""
        lines.append(f"  {outcome.table} #{change['id']}: {change['action']} {columns}".rstrip())
    listed = outcome.changed + outcome.differences
    if listed > len(shown):
        lines.append(f"  {outcome.table}: … and {listed - len(shown)} more (-v 3 shows all)")
    return lines


def results_table(results: list[SyncTableResult], *, adopted: bool = False) -> list[str]:
    """Each table's counts and duration, under a header; with adopted tables, their OPS-only rows too."""
    columns = (*COLUMNS, "ops_only") if adopted else COLUMNS
    lines = [f"{'table':<15}" + "".join(f"{c:>11}" for c in columns) + f"{'duration':>10}"]
    for result in results:
        counts = "".join(f"{getattr(result, c):>11}" for c in columns)
        lines.append(f"{result.table:<15}{counts}{result.duration_seconds:>9.2f}s")
    return lines


def adoption_preview(result: SyncTableResult) -> str:
    """A dry run on an adopted table, in words: what the first run would do to the OPS table."""
    collisions = sum(1 for error in result.row_errors if error.get("kind") == "collision")
    return (
        f"{result.table}: {result.unchanged} identical, {result.updated + result.deleted + result.restored} would be "
        f"updated, {result.inserted} would be inserted, {result.ops_only} OPS-only (left alone), {collisions} collide"
    )


def check_lines(checks: dict) -> list[str]:
    """--check: a line per problem and per warning, or `ok`, for each table."""
    lines = []
    for table, check in checks.items():
        lines += [f"{table}: {problem}" for problem in check.problems]
        lines += [f"{table}: warning: {warning}" for warning in check.warnings]
        if not (check.problems or check.warnings):
            lines.append(f"{table}: ok")
    return lines


def row_error_lines(results: list[SyncTableResult]) -> list[str]:
    return [
        f"  {result.table} row id={row_error['id']} not stored: {row_error['reason']}"
        for result in results
        for row_error in result.row_errors
    ]


def run_summary(run: SyncRun) -> str:
    """The run's last line: what it was, how it ended, its totals (or its error)."""
    what = "Dry run (nothing written)" if run.dry_run else "Run"
    totals = ", ".join(f"{getattr(run, c)} {c}" for c in COLUMNS)
    if run.ops_only:
        totals += f", {run.ops_only} OPS-only (left alone)"
    if run.status == SyncRun.Status.SUCCESS:
        seconds = (run.finished_at - run.started_at).total_seconds()
        return f"{what} #{run.pk} {run.status} in {seconds:.2f}s: {totals}."
    return f"{what} #{run.pk} {run.status}: {run.error or totals}"


def verification_lines(results: list[SyncTableResult]) -> list[str]:
    lines = []
    for r in results:
        own = f", {r.ops_only} OPS-only (left alone)" if r.ops_only else ""
        lines.append(f"{r.table:<15}{r.error or f'{r.unchanged} rows identical, {r.errors} differ{own}'}")
    return lines


STATUS_HEADER = ("table", "last success", "age", "cursor", "OPS live", "deleted", "FAC rows", "lag", "last run")
STATUS_WIDTHS = (14, 20, 7, 20, 9, 8, 9, 7, 24)


def status_lines(status: SyncStatus, tables: list[str]) -> list[str]:
    """The FAC connection, the lock, and a line per table."""
    fac = "reachable" if status.fac_error is None else status.fac_error
    lines = [
        f"FAC connection: {fac}",
        f"Lock: {'held by ' + status.lock_holder if status.lock_holder else 'free'}",
        "".join(f"{h:<{w}}" for h, w in zip(STATUS_HEADER, STATUS_WIDTHS, strict=True)),
    ]
    selected = [t for t in status.tables if t.table in tables]
    for row in selected:
        last = row.last_result
        cells = (
            row.table + (" STALE" if row.stale else ""),
            format_time(row.last_success_at),
            format_age(row.age),
            format_time(row.cursor),
            row.ops_live,
            row.ops_deleted,
            "-" if row.fac_rows is None else row.fac_rows,
            format_age(row.lag),
            f"{last.status} (#{last.run_id})" if last else "-",
        )
        lines.append("".join(f"{c!s:<{w}}" for c, w in zip(cells, STATUS_WIDTHS, strict=True)))
    for row in (t for t in selected if t.adopted):
        gone = "" if row.marks_deletions else f"; {row.vanished} rows gone from FAC, recorded (no deleted_at to mark)"
        lines.append(
            f"{row.table} feeds the adopted OPS table {row.ops_table}: {row.ops_only} OPS-only rows, left alone{gone}"
        )
    return lines
