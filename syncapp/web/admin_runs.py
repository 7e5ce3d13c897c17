"""The admin of the run history: runs and their tables, read-only (runs write them)."""

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from syncapp.common import formats
from syncapp.common.messages import Message
from syncapp.config.mapping import table_names
from syncapp.models import (
    SyncRun,
    SyncTableResult,
)
from syncapp.status import run_text
from syncapp.status.problems import table_title
from syncapp.web.admin_base import ReadOnlyAdmin

CHANGES_LISTED = 100  # per table on a run's page; the command's -v 3 lists them all


def status_badge(status: str, label: str):
    """Coloured by its status in syncapp/static/opsync/badges.css: no style attribute, which the
    Content-Security-Policy (style-src 'self') would refuse."""
    return format_html('<span class="opsync-badge" data-status="{}">{}</span>', status, label)


# Who started a run, as a phrase that follows its kind: « incrémentale, par cron ». The trigger's own
# word (« manuel ») beside a feminine kind (« vérification · manuel ») read as a mistake.
STARTED_BY: dict[str, Any] = {
    SyncRun.Trigger.CRON: _("by cron"),
    SyncRun.Trigger.MANUAL: _("by hand"),
    SyncRun.Trigger.ADMIN: _("from the admin"),
    SyncRun.Trigger.WATCH: _("by the watcher"),
}


def run_kind(run: SyncRun) -> str:
    """In words: "incrémentale, par cron", "simulation, depuis l'admin"."""
    mode = _("dry run") if run.dry_run else run.get_mode_display()
    started = STARTED_BY.get(run.trigger, run.get_trigger_display())
    return _("%(kind)s, %(started)s") % {"kind": mode, "started": started}


class TableFilter(admin.SimpleListFilter):
    title = _("table")
    parameter_name = "table"

    def lookups(self, request, model_admin):
        return [(name, name) for name in table_names()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(results__table=self.value()).distinct()
        return queryset


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    """The run history; a run's page says what it did to each table, a preview's what a run would do."""

    change_form_template = "admin/syncapp/syncrun/change_form.html"
    change_list_template = "admin/syncapp/syncrun/change_list.html"
    # Few columns, so that the counts and errors show beside the filters at 1400 px; the problem
    # goes under the status.
    list_display = ("id", "outcome", "when", "duration_display", "kind", "changed_display", "errors_display")
    list_display_links = ("id",)
    list_filter = ("status", "trigger", "mode", "dry_run", ("started_at", admin.DateFieldListFilter), TableFilter)
    search_fields = ("error", "results__error", "results__row_errors")
    readonly_fields = (
        "badge",
        "kind",
        "started",
        "finished",
        "duration_display",
        "totals_display",
        "problem_display",
        "tables_display",
        "options_display",
        "host",
        "pid",
        "triggered_by",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("badge", "kind"),
                    ("started", "finished", "duration_display"),
                    "totals_display",
                    "problem_display",
                )
            },
        ),
        # For IT: folded away (a <details>), as the dashboard's technical detail is.
        (
            _("Details"),
            {
                "fields": ("tables_display", "options_display", ("host", "pid", "triggered_by")),
                "classes": ("collapse",),
            },
        ),
    )

    def get_fieldsets(self, request, obj=None):
        """A queued run has no process yet: the host and pid recorded are the web server's, not shown."""
        if obj is not None and obj.status == SyncRun.Status.QUEUED:
            return (
                self.fieldsets[0],
                (
                    _("Details"),
                    {"fields": ("tables_display", "options_display", "triggered_by"), "classes": ("collapse",)},
                ),
            )
        return self.fieldsets

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The run's page: its summary, and what it did to each table (a preview: what it would do, first)."""
        run = self.get_object(request, object_id)
        if run is not None:
            records = list(run.results.all())
            said = said_above(run)
            results = [result_context(result, said) for result in records]
            title = _("Dry run #%(id)s") if run.dry_run else _("Run #%(id)s")
            note = run_text.compared_note(run, records) if records else ""  # what "unchanged" counts
            extra_context = {
                "title": title % {"id": run.pk},
                "subtitle": None,
                "opsync_results": render_to_string(
                    "admin/syncapp/syncrun/results.html", {"results": results, "run": run, "note": note}
                ),
                **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("status"), ordering="status")
    def badge(self, run):
        return status_badge(run.status, run.get_status_display())

    @admin.display(description=_("kind"))
    def kind(self, run):
        return run_kind(run)

    @admin.display(description=_("started at"), ordering="started_at")
    def when(self, run):
        return formats.local_time(run.started_at)

    @admin.display(description=_("started at"))
    def started(self, run):
        return formats.local_time(run.started_at)

    @admin.display(description=_("finished at"))
    def finished(self, run):
        return formats.local_time(run.finished_at)

    @admin.display(description=_("duration"))
    def duration_display(self, run):
        return "-" if run.duration is None else formats.duration(run.duration.total_seconds())

    @admin.display(description=_("rows changed"))
    def changed_display(self, run):
        return formats.number(run.changed)

    @admin.display(description=_("errors"), ordering="errors")
    def errors_display(self, run):
        return formats.number(run.errors)

    @admin.display(description=_("status"), ordering="status")
    def outcome(self, run):
        """The status, and what went wrong in a few words."""
        problem = Truncator(run.problem_text).chars(70)
        if not problem:
            return self.badge(run)
        return format_html('{}<div class="opsync-problem-short">{}</div>', self.badge(run), problem)

    @admin.display(description=_("totals"))
    def totals_display(self, run):
        return run_text.totals(run)

    @admin.display(description=_("problem"))
    def problem_display(self, run):
        return run.problem_text or "-"

    @admin.display(description=_("tables"))
    def tables_display(self, run):
        return ", ".join(run.tables) or "-"

    @admin.display(description=_("options"))
    def options_display(self, run):
        chosen = [OPTION_LABELS[name] for name, given in run.options.items() if given and name in OPTION_LABELS]
        return ", ".join(str(label) for label in chosen) or _("none")


OPTION_LABELS = {
    "force": _("full run (--force)"),
    "dry_run": _("dry run, nothing written (--dry-run)"),
    "verify": _("verification (--verify)"),
    "allow_mass_delete": _("mass deletion confirmed (--allow-mass-delete)"),
}


def table_counts(result: SyncTableResult) -> str:
    """`0 inserted, 1 updated, … · 0.05 s · FAC → OPS in 1 s` (how long the newest change took)."""
    parts = [run_text.totals(result), formats.duration(result.duration_seconds)]
    if result.attempts > 1:
        parts.append(run_text.retries_text(result))
    if result.latency_seconds is not None:
        parts.append(_("FAC → OPS in %(latency)s") % {"latency": formats.latency(result.latency_seconds)})
    return " · ".join(parts)


def said_above(run: SyncRun) -> list[Message]:
    """The causes the run's summary already says: a table's own is not said again under it (six
    tables that failed alike showed the same red sentence six times)."""
    said = list(run.problems)
    return said + [problem["params"]["problem"] for problem in said if problem["code"] == "table_failed"]


def result_context(result: SyncTableResult, said: Sequence[Message] = ()) -> dict:
    """What the run page shows of a table: its counts in words, its problem, its refused rows and changes."""
    changes = [run_text.ShownChange.of(change) for change in result.changes[:CHANGES_LISTED]]
    # How many there were: rows changed, or (a verification) rows found different.
    total = max(result.errors if result.run.mode == SyncRun.Mode.VERIFY else result.changed, len(result.changes))
    return {
        "result": result,
        "title": table_title(result.table),  # « Représentants », as the dashboard names it
        "badge": status_badge(result.status, result.get_status_display()),
        "counts": table_counts(result),
        "problem": "" if result.problem in said else result.problem_text,
        "cursor": (formats.local_time(result.cursor_before), formats.local_time(result.cursor_after)),
        "refusals": [
            {
                "reason": group["reason"],
                "ids": ", ".join(formats.numbered(i) for i in group["ids"]),
                "count": len(group["ids"]),
            }
            for group in run_text.refusals(result.row_errors)
        ],
        "more_errors": max(result.refused - len(result.row_errors), 0),
        "more_errors_text": formats.number(max(result.refused - len(result.row_errors), 0)),
        "changes": changes,
        "more_changes": total - len(changes),
        "more_changes_text": formats.number(total - len(changes)),
    }
