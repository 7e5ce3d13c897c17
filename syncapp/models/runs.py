"""The record of the sync: each run and its tables, each table's state, the watcher's heartbeat."""

import os
import socket
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from syncapp.common.formats import local_time, numbered
from syncapp.common.messages import render, rendered_all


def current_host() -> str:
    return socket.gethostname()


def current_pid() -> int:
    return os.getpid()


class ChangeAction(models.TextChoices):
    """What a run did to a mirror row (in a dry run: would do)."""

    INSERT = "insert", _("insert")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    RESTORE = "restore", _("restore")


class Difference(models.TextChoices):
    """How --verify found a mirror row to differ from FAC."""

    MISSING = "missing", _("missing in OPS")
    DIFFERS = "differs", _("differs")
    EXTRA = "extra", _("not in FAC")
    UNMARKED = "unmarked", _("gone from FAC, not marked deleted")
    COLLIDES = "collides", _("FAC's row has the id of an OPS-only row")
    OPS_ONLY = "ops_only", _("OPS-only")  # listed, not a difference: the operations application's own row


# A recorded change's "action" is one of either; its label is the choice's.
CHANGE_LABELS = dict(ChangeAction.choices) | dict(Difference.choices)
# Changes shown with the columns that differ (an insert or a delete names them all, or none).
SHOWS_COLUMNS = (ChangeAction.UPDATE, Difference.DIFFERS)

# The counter of each action, in SyncRun, SyncTableResult and the engine's TableOutcome.
COUNTER = {
    ChangeAction.INSERT: "inserted",
    ChangeAction.UPDATE: "updated",
    ChangeAction.DELETE: "deleted",
    ChangeAction.RESTORE: "restored",
}
COUNTERS = (*COUNTER.values(), "unchanged")
TOTALS = (*COUNTERS, "ops_only")  # what a run adds up from its tables (errors aside)


def rows_changed(counts) -> int:
    """The one definition of "rows changed": inserted, updated, marked deleted or restored."""
    return sum(getattr(counts, counter) for counter in COUNTER.values())


class ChangeCounts(models.Model):
    """What a run did, counted: per table (SyncTableResult) and in all (SyncRun)."""

    inserted = models.PositiveIntegerField(_("inserted"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    deleted = models.PositiveIntegerField(_("deleted"), default=0)
    restored = models.PositiveIntegerField(_("restored"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    # Adopted tables: OPS rows found that FAC does not have, left alone (not a change).
    ops_only = models.PositiveIntegerField(_("OPS-only rows"), default=0)

    class Meta:
        abstract = True

    @property
    def changed(self) -> int:
        return rows_changed(self)


class SyncRun(ChangeCounts):
    """One run of the sync: by cron, by hand, or from the admin."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")  # started from the dashboard, its process not yet running
        RUNNING = "running", _("running")
        SUCCESS = "success", _("success")
        PARTIAL = "partial", _("partial")  # some tables or rows failed, the rest applied
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped (locked)")
        ABANDONED = "abandoned", _("abandoned")
        STOPPED = "stopped", _("stopped")  # asked to stop (SIGTERM): unfinished tables left as they were

    class Trigger(models.TextChoices):
        CRON = "cron", _("cron")
        MANUAL = "manual", _("manual")
        ADMIN = "admin", _("admin")
        WATCH = "watch", _("watcher")

    class Mode(models.TextChoices):
        INCREMENTAL = "incremental", _("incremental")
        FORCE = "force", _("full resync")
        VERIFY = "verify", _("verification")
        REPAIR = "repair", _("daily check and repair")

    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.RUNNING, db_index=True)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger, default=Trigger.MANUAL)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode, default=Mode.INCREMENTAL)
    dry_run = models.BooleanField(_("dry run"), default=False)
    tables = models.JSONField(_("tables"), default=list)
    options = models.JSONField(_("options"), default=dict, blank=True)
    host = models.CharField(_("host"), max_length=255, default=current_host)
    pid = models.PositiveIntegerField(_("process id"), default=current_pid)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("triggered by")
    )
    # What went wrong, as messages (syncapp.common.messages), put into words in the reader's language;
    # `error` holds the same in English, for searching and for the records made before them.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        # The last run of a mode (the last --verify, which --status and /healthz report): an index
        # lookup, however long the history.
        indexes = [models.Index(fields=["mode", "started_at"], name="syncrun_mode_started_at")]
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        permissions = [("run_sync", _("Can start a sync from the dashboard"))]

    def __str__(self):
        return f"{numbered(self.pk)} {local_time(self.started_at)} {self.get_status_display()}"

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at

    @property
    def problem_text(self) -> str:
        """What went wrong, in the reader's language."""
        return rendered_all(self.problems) if self.problems else self.error


class SyncTableResult(ChangeCounts):
    """What one run did to one table."""

    class Status(models.TextChoices):
        SUCCESS = "success", _("success")
        PARTIAL = "partial", _("partial")  # applied, but some rows were refused
        FAILED = "failed", _("failed")

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="results", verbose_name=_("run"))
    table = models.CharField(_("table"), max_length=64, db_index=True)  # a MySQL name: 64 at most
    status = models.CharField(_("status"), max_length=16, choices=Status)
    cursor_before = models.DateTimeField(_("cursor before"), null=True, blank=True)
    cursor_after = models.DateTimeField(_("cursor after"), null=True, blank=True)
    # Indexed: /healthz/sync, which anyone may call, reads the last day's results by it (latency), and
    # without the index that was a scan of every result ever kept (90 days of cron: 180 000 rows).
    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    duration_seconds = models.FloatField(_("duration (s)"), default=0)
    problem = models.JSONField(_("problem"), null=True, blank=True)  # as SyncRun.problems
    error = models.TextField(_("error"), blank=True)
    # [{"id": 12, "code": "row_refused", "params": {…}, "reason": "…"}]: the first rows OPS could
    # not store (ROW_ERRORS_KEPT); `errors` counts them all, and all are read again next run.
    row_errors = models.JSONField(_("row errors"), default=list, blank=True)
    refused = models.PositiveIntegerField(_("rows refused"), default=0)  # all of them, described or not
    collisions = models.PositiveIntegerField(_("collisions"), default=0)
    differences = models.PositiveIntegerField(_("differences"), default=0)  # --verify: rows where OPS is not FAC
    # [{"id": 12, "action": "update", "columns": ["nom"]}], capped: what changed
    # (or, in a dry run, what would change).
    changes = models.JSONField(_("changes"), default=list, blank=True)
    # An incremental run that wrote rows: seconds from the newest of them in FAC (its updated_at,
    # by FAC's clock) until it was committed in OPS. How long a change took to arrive.
    latency_seconds = models.FloatField(_("latency (s)"), null=True, blank=True)
    # OPS timed out on a lock or chose this table for a deadlock: the table was tried again from
    # the start. How many tries in all, why the last retry, and the seconds the failed tries took.
    attempts = models.PositiveSmallIntegerField(_("tries"), default=1)
    retry_reason = models.JSONField(_("retried because"), null=True, blank=True)  # a message
    retry_seconds = models.FloatField(_("time lost to retries (s)"), default=0)
    # What finding the changes cost FAC (a scan of the table where FAC has no index on updated_at);
    # None for a full run. The benchmark adds them up: the share of its time FAC gives opsync.
    fac_scan_seconds = models.FloatField(_("FAC scan (s)"), null=True, blank=True)

    class Meta:
        ordering = ["run", "id"]
        unique_together = [("run", "table")]
        verbose_name = _("table result")
        verbose_name_plural = _("table results")

    def __str__(self):
        return f"{self.table}: {self.status}"

    @property
    def problem_text(self) -> str:
        return render(self.problem) if self.problem else self.error

    @property
    def differences_found(self) -> bool:
        """A verification that found OPS different from FAC (its errors are the rows that differ)."""
        return self.run.mode == SyncRun.Mode.VERIFY and self.errors > 0


class Watcher(models.Model):
    """A `sync_from_facturation --watch` process, seen by its heartbeat (for --status, the
    dashboard and /healthz): it beats every BEAT_EVERY, in the middle of a run too."""

    BEAT_EVERY = timedelta(seconds=10)

    class State(models.TextChoices):
        WATCHING = "watching", _("watching")
        FAC_UNREACHABLE = "fac_unreachable", _("FAC unreachable, retrying")

    host = models.CharField(_("host"), max_length=255, default=current_host)
    pid = models.PositiveIntegerField(_("process id"), default=current_pid)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    beat_at = models.DateTimeField(_("last heartbeat"), default=timezone.now, db_index=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)  # a clean stop
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.WATCHING)
    interval_seconds = models.FloatField(_("poll interval (s)"))

    class Meta:
        ordering = ["-beat_at"]
        verbose_name = _("watcher")
        verbose_name_plural = _("watchers")

    def __str__(self):
        return f"{self.host} ({self.pid})"

    def process_gone(self) -> bool:
        """On the machine it ran on: whether its process has ended (killed without a word), which
        its heartbeat would say only BEAT_EVERY later. Elsewhere: not known here (False)."""
        if self.host != current_host():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # there, under another user
            return False
        try:  # ended, and not yet reaped by its parent: a zombie
            return Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
        except (OSError, IndexError):
            return False


class SyncState(models.Model):
    """Where each table's incremental sync stands."""

    table = models.CharField(_("table"), max_length=64, primary_key=True)
    # The highest FAC updated_at applied, read from FAC's own data (never the
    # application clock). The next run reads from it minus the look-back window.
    cursor = models.DateTimeField(_("cursor"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Ids of rows OPS could not store last time: read again on the next run.
    retry_ids = models.JSONField(_("ids to retry"), default=list, blank=True)
    # Adopted tables: the highest FAC id seen by the last run that applied. An OPS row above
    # it that FAC does not have was made by the operations application, not copied from FAC.
    fac_high_id = models.PositiveBigIntegerField(_("highest FAC id seen"), null=True, blank=True)
    # How far FAC's updated_at runs ahead of FAC's own clock, in seconds (a billing application that
    # writes its local time: syncapp/common/clock.py), as the last fresh change showed; 0 or None: not.
    fac_clock_ahead = models.PositiveIntegerField(_("FAC timestamps ahead of its clock (s)"), null=True, blank=True)
    # What finding the changes cost FAC in the last run that was not a full one, in seconds: a scan
    # of the whole table where FAC has no index on updated_at (the watcher waits after it).
    fac_scan_seconds = models.FloatField(_("last FAC scan (s)"), null=True, blank=True)
    # What the last run that applied learnt of FAC, and when: --status, the dashboard and /healthz read
    # these, never FAC's tables (looking at the sync must not cost FAC what the sync costs it).
    fac_rows = models.PositiveBigIntegerField(_("FAC rows"), null=True, blank=True)
    fac_newest = models.DateTimeField(_("FAC's newest updated_at"), null=True, blank=True)
    fac_seen_at = models.DateTimeField(_("FAC seen at"), null=True, blank=True)
    fac_cursor = models.CharField(_("cursor column"), max_length=64, blank=True, default="")  # "": none
    # Whether FAC has an index that begins with the cursor (without one, the watcher's early syncs scan it).
    fac_cursor_indexed = models.BooleanField(_("FAC indexes the cursor"), null=True, blank=True)

    class Meta:
        ordering = ["table"]
        verbose_name = _("sync state")
        verbose_name_plural = _("sync states")

    def __str__(self):
        return self.table
