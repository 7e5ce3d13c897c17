"""Old run records go away after SYNC_KEEP_DAYS, but never those still in use."""

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from syncapp.dashboard import chart_runs, recent_failures
from syncapp.models import SyncRun, SyncState, SyncTableResult


def runs_in_use() -> set[int]:
    """The latest run of each table, the runs the dashboard shows, and any still running."""
    latest_per_table = SyncTableResult.objects.values("table").annotate(latest=Max("run_id")).values("latest")
    return (
        set(latest_per_table.values_list("latest", flat=True))
        | set(SyncState.objects.exclude(last_run=None).values_list("last_run_id", flat=True))
        | set(chart_runs().values_list("pk", flat=True))
        | set(recent_failures().values_list("pk", flat=True))
        | set(SyncRun.objects.filter(status=SyncRun.Status.RUNNING).values_list("pk", flat=True))
    )


def runs_prune(*, keep_days: int) -> int:
    """Delete the run records (and their table results) older than keep_days; returns how many runs."""
    cutoff = timezone.now() - timedelta(days=keep_days)
    old = SyncRun.objects.filter(started_at__lt=cutoff).exclude(pk__in=runs_in_use())
    count = old.count()
    old.delete()
    return count
