"""What the dashboard shows: the read side's status, and the chart drawn from the last runs."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from syncapp.models import SyncRun
from syncapp.selectors import CHART_RUNS, chart_runs, recent_failures, stale_after, sync_status

CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 600, 120, 2


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


def chart_bars(runs: list[SyncRun]) -> list[Bar]:
    """Two bars per run, scaled to the largest: duration (seconds) and rows changed."""
    if not runs:
        return []
    durations = [run.duration.total_seconds() for run in runs]
    top_duration, top_changed = max(durations) or 1, max(run.changed for run in runs) or 1
    slot = CHART_WIDTH / CHART_RUNS
    return [
        Bar(
            x=index * slot,
            width=slot / 2 - BAR_GAP,
            duration_height=round(CHART_HEIGHT * durations[index] / top_duration, 1),
            changed_height=round(CHART_HEIGHT * run.changed / top_changed, 1),
            run=run,
        )
        for index, run in enumerate(runs)
    ]


def dashboard_context() -> dict:
    status = sync_status()
    return {
        "status": status,
        "tables": [(table, table.freshness) for table in status.tables],
        "stale_after_minutes": int(stale_after().total_seconds() // 60),
        "bars": chart_bars(list(chart_runs())[::-1]),
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
        "failures": list(recent_failures().prefetch_related("results")),
        "legend_duration": _("duration"),
        "legend_changed": _("rows changed"),
    }
