"""What the dashboard shows, computed from the run records (read-only)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from syncapp.models import SyncRun, SyncTableResult
from syncapp.status import SyncStatus, TableStatus, stale_after, sync_status

CHART_RUNS = 30
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 600, 120, 2
FAILURES_SHOWN = 10


def freshness(table: TableStatus) -> str:
    """green: fresh; amber: older than half the stale limit, or rows refused; red: stale or failing."""
    last = table.last_result
    if table.stale or (last is not None and last.status == SyncTableResult.Status.FAILED):
        return "red"
    if (last is not None and last.status == SyncTableResult.Status.PARTIAL) or table.age > stale_after() / 2:
        return "amber"
    return "green"


@dataclass
class Bar:
    x: float
    width: float
    duration_height: float
    changed_height: float
    run: SyncRun

    @property
    def changed_x(self) -> float:
        return self.x + self.width

    @property
    def changed(self) -> int:
        return self.run.inserted + self.run.updated + self.run.deleted + self.run.restored


def chart_bars(runs: list[SyncRun]) -> list[Bar]:
    """Two bars per run, scaled to the largest: duration (seconds) and rows changed."""
    if not runs:
        return []
    durations = [run.duration.total_seconds() for run in runs]
    changed = [run.inserted + run.updated + run.deleted + run.restored for run in runs]
    top_duration, top_changed = max(durations) or 1, max(changed) or 1
    slot = CHART_WIDTH / CHART_RUNS
    return [
        Bar(
            x=index * slot,
            width=slot / 2 - BAR_GAP,
            duration_height=round(CHART_HEIGHT * durations[index] / top_duration, 1),
            changed_height=round(CHART_HEIGHT * changed[index] / top_changed, 1),
            run=run,
        )
        for index, run in enumerate(runs)
    ]


def chart_runs():
    """The runs the chart draws: the last finished runs that applied something."""
    finished = SyncRun.objects.filter(finished_at__isnull=False, dry_run=False).exclude(status=SyncRun.Status.SKIPPED)
    return finished.order_by("-started_at")[:CHART_RUNS]


def recent_failures():
    failing = [SyncRun.Status.FAILED, SyncRun.Status.PARTIAL]
    return SyncRun.objects.filter(status__in=failing).order_by("-started_at")[:FAILURES_SHOWN]


def dashboard_context() -> dict:
    status: SyncStatus = sync_status()
    recent = list(chart_runs())[::-1]
    failures = recent_failures()
    return {
        "status": status,
        "tables": [(table, freshness(table)) for table in status.tables],
        "stale_after_minutes": int(stale_after().total_seconds() // 60),
        "bars": chart_bars(recent),
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
        "failures": list(failures.prefetch_related("results")),
        "legend_duration": _("duration"),
        "legend_changed": _("rows changed"),
    }
