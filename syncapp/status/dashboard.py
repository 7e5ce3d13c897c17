"""What the dashboard shows: a verdict, each table's state, the last runs as a chart, what is unresolved.

Everything comes from the read side (syncapp/status/selectors.py); this module only arranges it for
the page: sentences in the reader's language, numbers as they write them, the chart's geometry.
"""

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from syncapp.common import formats
from syncapp.common.messages import message, render
from syncapp.models import SyncRun, SyncTableResult, Watcher
from syncapp.status import status_text
from syncapp.status.levels import Level, stale_after
from syncapp.status.problems import table_title
from syncapp.status.selectors import CHART_RUNS, SyncStatus, chart_runs, recent_failures, sync_status

# The chart's frame, in the SVG's own units (it scales to the page's width).
WIDTH, HEIGHT = 720, 230
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 28, 44
STATUS_CLASSES = ("success", "partial", "failed", "skipped", "abandoned", "stopped")


@dataclass
class Verdict:
    level: str  # ok, warning, critical
    sentences: list[str]  # each problem in plain words, the most serious first: what it means, who acts
    details: list[str]  # the same problems for IT: the technical detail and what to do, folded


def verdict(status: SyncStatus) -> Verdict:
    """Everything is fresh; or every problem in plain words, then, folded, what IT needs."""
    minutes = int(stale_after().total_seconds() // 60)
    if not status.problems:
        return Verdict("ok", [render(message("all_fresh", minutes=minutes))], [])
    level = "critical" if status.level >= Level.CRITICAL else "warning"
    sentences = [capitalised(render(p.plain or p.message)) for p in status.problems]  # « Les tables … »
    details = [f"{capitalised(render(p.message))} — {render(p.advice)}." for p in status.problems]
    return Verdict(level, sentences, details)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# Each table state (TableStatus.state): its colour on the page, and its word.
STATES = {
    "fresh": ("green", pgettext_lazy("table state", "fresh")),
    "late": ("amber", pgettext_lazy("table state", "late")),
    "differs": ("amber", pgettext_lazy("table state", "differs from FAC")),
    "refused": ("amber", pgettext_lazy("table state", "rows refused")),
    "stale": ("red", pgettext_lazy("table state", "stale")),
    "failing": ("red", pgettext_lazy("table state", "failing")),
}


@dataclass
class Bar:
    x: float
    width: float
    height: float
    clipped: bool  # longer than the scale: drawn to the top, its length said in its title
    run: SyncRun
    title: str

    @property
    def y(self) -> float:
        return HEIGHT - BOTTOM - self.height

    @property
    def css(self) -> str:
        return self.run.status if self.run.status in STATUS_CLASSES else "skipped"


@dataclass
class Tick:
    at: float  # the position along the axis
    label: str
    anchor: str = "middle"  # the first and last time labels stay inside the chart


@dataclass
class Chart:
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    legend: list[tuple[str, str]]  # (css class, label)
    scale_note: str

    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def scale_for(durations: list[float]) -> float:
    """The top of the duration axis: the runs as they usually are, not the one that ran for an hour."""
    if not durations:
        return 1.0
    ordinary = 4 * median(durations) or max(durations)
    return max(min(max(durations), ordinary), 0.1)


def nice(value: float) -> float:
    """A round number at or above value: 1, 2, 2.5 or 5 times a power of ten."""
    power = 10 ** len(str(int(value))) / 10 if value >= 1 else 0.1
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


# The chart in two sizes: a desk's (30 runs, three time labels) and a phone's (12 runs, the newest's
# time alone: two full times do not fit side by side in 360 units),
# each drawn in its own units so that its text stays readable when it scales to the page.
DESK, PHONE = (WIDTH, CHART_RUNS, 3), (360, 12, 1)


def chart(runs: list[SyncRun], *, size: tuple[int, int, int] = DESK) -> Chart | None:
    """A bar per run, oldest first: its duration against a labelled scale, its colour its outcome."""
    width, shown, labels = size
    runs = runs[-shown:]
    if not runs:
        return None
    durations = [run.duration.total_seconds() for run in runs]
    top = nice(scale_for(durations))
    slot = (width - LEFT - RIGHT) / shown  # a run's width, whatever their number; the newest on the right
    first = width - RIGHT - len(runs) * slot
    area = HEIGHT - TOP - BOTTOM
    bars = [
        Bar(
            x=first + index * slot + slot * 0.15,
            width=slot * 0.7,
            height=round(area * min(seconds, top) / top, 1),
            clipped=seconds > top,
            run=run,
            title=bar_title(run, seconds),
        )
        for index, (run, seconds) in enumerate(zip(runs, durations, strict=True))
    ]
    y_ticks = [
        Tick(HEIGHT - BOTTOM - area * part, formats.duration(top * part) if part else "0") for part in (0, 0.5, 1)
    ]
    x_ticks = time_ticks(runs, bars, width=width, labels=labels, shown=shown)
    present = {bar.css for bar in bars}
    status_labels = dict(SyncRun.Status.choices)
    legend = [(css, str(status_labels[css])) for css in STATUS_CLASSES if css in present]
    note = _("Bars above the scale ran longer; their title says how long.") if any(b.clipped for b in bars) else ""
    return Chart(bars, y_ticks, x_ticks, legend, note, width=width, right=width - RIGHT)


def time_ticks(runs: list[SyncRun], bars: list[Bar], *, width: int, labels: int, shown: int) -> list[Tick]:
    """When the runs started, in full: the newest at the right edge, the oldest at the left when the
    bars reach it, and on a desk the middle one; never so many that they meet."""
    ticks = []
    if labels > 1 and len(runs) > shown // 2:
        ticks.append(Tick(bars[0].x, formats.local_time(runs[0].started_at), "start"))
        if labels > 2:
            middle = len(runs) // 2
            ticks.append(Tick(bars[middle].x + bars[middle].width / 2, formats.local_time(runs[middle].started_at)))
    ticks.append(Tick(width - RIGHT, formats.local_time(runs[-1].started_at), "end"))
    return ticks


def bar_title(run: SyncRun, seconds: float) -> str:
    changed = ngettext("%(count)s row changed", "%(count)s rows changed", run.changed) % {
        "count": formats.number(run.changed)
    }
    return _("#%(id)s %(when)s — %(status)s, %(duration)s, %(changed)s") % {
        "id": run.pk,
        "when": formats.local_time(run.started_at),
        "status": run.get_status_display(),
        "duration": formats.duration(seconds),
        "changed": changed,
    }


def unresolved(failures: list[SyncRun], status: SyncStatus) -> list[dict]:
    """Failed and partial runs, each marked resolved when every table it failed on succeeded since."""
    last_success = {table.table: table.last_success_at for table in status.tables}
    listed = []
    for run in failures:
        failed = [r.table for r in run.results.all() if r.status != SyncTableResult.Status.SUCCESS] or run.tables
        resolved = all(succeeded_after(last_success.get(t), run.finished_at) for t in failed)
        refused = sum(r.refused for r in run.results.all())
        listed.append(
            {
                "run": run,
                "resolved": resolved,
                "tables": ", ".join(failed),
                "when": formats.local_time(run.started_at),
                "problem": run.problem_text,
                "refused": refused,
                "refused_text": formats.number(refused),
            }
        )
    return listed


def succeeded_after(success: datetime | None, failure: datetime | None) -> bool:
    return success is not None and failure is not None and success > failure


def tables(status: SyncStatus) -> list[dict]:
    return [
        {
            "table": table,
            "title": table_title(table.table),
            "colour": STATES[table.state][0],
            "state": STATES[table.state][1],
            "last_success": formats.local_time(table.last_success_at),
            "age": formats.age(table.age),
            "live": formats.number(table.ops_live),
            "deleted": formats.number(table.ops_deleted),
            "fac_rows": formats.number(table.fac_rows),
        }
        for table in status.tables
    ]


def watcher(status: SyncStatus) -> dict:
    """The watcher in words, with the colour of its state: green watching, amber waiting for FAC or
    gone silent, grey when there is none (cron runs the sync)."""
    found = status.watcher
    colours: dict[str | None, str] = {
        Watcher.State.WATCHING: "green",
        Watcher.State.FAC_UNREACHABLE: "amber",
        "silent": "amber",
    }
    colour = colours.get(found.state, "amber" if settings.SYNC_WATCH else "grey")
    return {"colour": colour, "text": status_text.watcher_text(found)}


def dashboard_context() -> dict:
    status = sync_status()
    failures = unresolved(list(recent_failures().prefetch_related("results")), status)
    return {
        "status": status,
        "verdict": verdict(status),
        "fac_error": render(status.fac_error),
        "lock_holder": render(status.lock_holder),
        "watcher": watcher(status),
        "latency": status_text.latency_text(status.latency) if status.latency.count else "",
        "fac_clock_note": render(status.fac_clock_note),
        "tables": tables(status),
        "any_application_table": any(table.adopted for table in status.tables),
        "stale_after_minutes": int(stale_after().total_seconds() // 60),
        "chart": chart(runs := list(chart_runs())[::-1]),
        "phone_chart": chart(runs, size=PHONE),
        "failures": [f for f in failures if not f["resolved"]],
        "resolved_failures": len([f for f in failures if f["resolved"]]),
        "checked_at": formats.local_time(timezone.now()),
    }
