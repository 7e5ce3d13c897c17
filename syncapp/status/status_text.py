"""--status in lines: the Monitoring Plugins' first line and perfdata, then where each table stands.

For a terminal, a cron mail or a monitor; in the active language, numbers grouped and times
with their zone (syncapp/status/run_text.py holds the run's lines).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from syncapp.common.formats import age as format_age
from syncapp.common.formats import latency as format_latency
from syncapp.common.formats import local_time as format_time
from syncapp.common.formats import number, numbered
from syncapp.common.messages import render, rendered_all
from syncapp.models import Watcher
from syncapp.status.levels import Level, stale_after
from syncapp.status.run_text import aligned
from syncapp.status.selectors import SyncStatus
from syncapp.status.states import Latency, TableStatus, WatcherStatus


def status_first_line(status: SyncStatus, tables: list[str]) -> str:
    """The Monitoring Plugins' line: `OPSYNC <LEVEL> - what | perfdata`."""
    selected = [t for t in status.tables if t.table in tables]
    problems = selected_problems(status, tables)
    if problems:
        summary = rendered_all(problem.message for problem in problems)
    else:
        summary = ngettext("%(count)s table in step", "%(count)s tables in step", len(selected)) % {
            "count": len(selected)
        }
    return f"OPSYNC {status_level(status, tables).name} - {summary} | {perfdata(selected, status.latency)}"


def selected_problems(status: SyncStatus, tables: list[str]) -> list:
    """The problems of the tables asked for, and those of no table in particular (FAC, the last run)."""
    return [p for p in status.problems if not p.tables or set(p.tables) & set(tables)]


def status_level(status: SyncStatus, tables: list[str]) -> Level:
    return max((problem.level for problem in selected_problems(status, tables)), default=Level.OK)


def perfdata(tables: list[TableStatus], latency: Latency) -> str:
    """Per table: age of the last success (with SYNC_STALE_AFTER's half and whole as thresholds), lag,
    rows; then how long changes took to arrive over the last 24 h, when any did."""
    stale = int(stale_after().total_seconds())
    items = []
    for table in tables:
        age = "U" if table.age is None else f"{int(table.age.total_seconds())}s"
        lag = "U" if table.lag is None else f"{int(table.lag.total_seconds())}s"
        live = "U" if table.ops_live is None else table.ops_live  # a declared table's mirror not made yet
        items += [
            f"'{table.table}_age'={age};{stale // 2};{stale};0",
            f"'{table.table}_lag'={lag};;;0",
            f"'{table.table}_rows'={live};;;0",
        ]
    if latency.count:
        items += [f"'latency_median'={latency.median:.1f}s;;;0", f"'latency_max'={latency.highest:.1f}s;;;0"]
    return " ".join(items)


def watcher_text(watcher: WatcherStatus) -> str:
    """`alive on vm (pid 812), last heartbeat 4 s ago`, or why not."""
    record = watcher.record
    if record is None:
        return _("none (the sync runs from cron, or by hand)")
    where = {
        "host": record.host,
        "pid": record.pid,
        "since": format_time(record.stopped_at or record.beat_at),
        "ago": format_age(timezone.now() - record.beat_at),
    }
    texts = {
        Watcher.State.WATCHING: _("alive on %(host)s (pid %(pid)s), last heartbeat %(ago)s ago"),
        Watcher.State.FAC_UNREACHABLE: _(
            "alive on %(host)s (pid %(pid)s), waiting for FAC, last heartbeat %(ago)s ago"
        ),
        "stopped": _("stopped on %(host)s at %(since)s"),
        "silent": _("silent on %(host)s (pid %(pid)s) since %(since)s"),
    }
    assert watcher.state is not None, "a watcher that ran has a state"
    return texts[watcher.state] % where


def latency_text(latency: Latency) -> str:
    return ngettext(
        "Changes arrived in OPS (last 24 h): median %(median)s, longest %(longest)s, over %(count)s sync",
        "Changes arrived in OPS (last 24 h): median %(median)s, longest %(longest)s, over %(count)s syncs",
        latency.count,
    ) % {
        "median": format_latency(latency.median),
        "longest": format_latency(latency.highest),
        "count": number(latency.count),
    }


def status_lines(status: SyncStatus, tables: list[str]) -> list[str]:
    """After the first line: FAC, the lock, and a line per table."""
    fac = _("reachable") if status.fac_error is None else render(status.fac_error)
    holder = render(status.lock_holder) if status.lock_holder else _("free")
    lines = [
        status_first_line(status, tables),
        _("FAC connection: %(state)s") % {"state": fac},
        _("Lock: %(state)s") % {"state": holder},
        _("Watcher: %(state)s") % {"state": watcher_text(status.watcher)},
    ]
    if status.latency.count:
        lines.append(latency_text(status.latency))
    if status.fac_clock_note:
        lines.append(render(status.fac_clock_note))
    lines += table_lines([t for t in status.tables if t.table in tables])
    # Last: advice for FAC's administrator, not the state of the sync.
    lines += [render(note) for note in status.index_notes if note["params"]["table"] in tables]
    return lines


def table_lines(tables: list[TableStatus]) -> list[str]:
    """A row per table, aligned, under its header; then what each adopted table leaves alone."""
    header = [
        _("table"),
        _("level"),
        _("last success"),
        _("age"),
        _("cursor"),
        _("OPS live"),
        _("deleted"),
        _("FAC rows"),
        _("lag"),
        _("FAC seen"),
        _("last run"),
    ]
    rows = [header]
    for row in tables:
        last = row.last_result
        rows.append(
            [
                row.table,
                row.level.name,
                format_time(row.last_success_at),
                format_age(row.age),
                format_time(row.cursor),
                number(row.ops_live),
                number(row.ops_deleted),
                number(row.fac_rows),
                format_age(row.lag),
                format_age(timezone.now() - row.fac_seen_at) if row.fac_seen_at else "-",
                f"{numbered(last.run_id)} {last.get_status_display()}" if last else "-",
            ]
        )
    lines = aligned(rows)
    lines.append(
        _(
            "age: since the last successful sync; lag: how far OPS was behind FAC's newest change, and FAC rows, "
            "when the sync last looked at FAC (FAC seen: how long ago; --status itself reads OPS only)."
        )
    )
    for row in (t for t in tables if t.adopted):
        text = ngettext(
            "%(table)s feeds the adopted OPS table %(ops)s: %(count)s OPS-only row, left alone",
            "%(table)s feeds the adopted OPS table %(ops)s: %(count)s OPS-only rows, left alone",
            row.ops_only,
        ) % {"table": row.table, "ops": row.ops_table, "count": number(row.ops_only)}
        if not row.marks_deletions:
            text += "; " + ngettext(
                "%(count)s row gone from FAC, recorded (no deleted_at to mark)",
                "%(count)s rows gone from FAC, recorded (no deleted_at to mark)",
                row.vanished,
            ) % {"count": number(row.vanished)}
        lines.append(text)
    return lines
