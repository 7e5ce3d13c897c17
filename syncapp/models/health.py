"""What the health checks and the alerts remember between calls: FAC's last check, the ADMINS' last mail."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FacCheck(models.Model):
    """The last time /healthz/sync?fac=1 reached FAC, and what it found: one row, shared by every web
    worker, so that FAC sees at most one check per SYNC_HEALTH_FAC_EVERY seconds whoever calls."""

    checked_at = models.DateTimeField(default=timezone.now)
    problem = models.JSONField(null=True, blank=True)  # why FAC was unreachable (a message); None: reachable

    class Meta:
        verbose_name = _("FAC check")
        verbose_name_plural = _("FAC checks")

    def __str__(self):
        return f"{self.checked_at:%Y-%m-%d %H:%M:%S}"


class AlertState(models.Model):
    """What the ADMINS were last told, so that they hear of each change once, not every run."""

    # Sorted problem keys ("run_failed", "stale:clients", …); empty when all is well.
    problems = models.JSONField(default=list)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("alert state")
        verbose_name_plural = _("alert states")

    def __str__(self):
        return ", ".join(self.problems) or "ok"
