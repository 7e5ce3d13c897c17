"""Old run records go away after SYNC_KEEP_DAYS, but never those still in use; so do the records
of watchers not heard from since."""

from datetime import timedelta

from django.utils import timezone

from syncapp.models import SyncRun, Watcher
from syncapp.status.selectors import runs_in_use


def runs_prune(*, keep_days: int) -> int:
    """Delete the run records (and their table results) older than keep_days; returns how many runs."""
    cutoff = timezone.now() - timedelta(days=keep_days)
    old = SyncRun.objects.filter(started_at__lt=cutoff).exclude(pk__in=runs_in_use())
    count = old.count()
    old.delete()
    Watcher.objects.filter(beat_at__lt=cutoff).delete()  # one record per start of a watcher
    return count
