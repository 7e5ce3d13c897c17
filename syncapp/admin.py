"""The admin: run history and the mirror, read-only (the mirror is owned by the sync)."""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import CharField, Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from syncapp.adopted.models import ADOPTED_MODELS
from syncapp.mapping import TABLE_NAMES, mappings
from syncapp.models import (
    CHANGE_LABELS,
    COUNTER,
    COUNTERS,
    SHOWS_COLUMNS,
    OpsOnlyRow,
    SyncRun,
    SyncTableResult,
    VanishedRow,
)

STATUS_COLOURS = {
    "success": "#2e7d32",
    "partial": "#ef6c00",
    "failed": "#c62828",
    "running": "#1565c0",
    "skipped": "#757575",
    "abandoned": "#6d4c41",
}


def status_badge(status: str, label: str):
    colour = STATUS_COLOURS.get(status, "#757575")
    return format_html(
        '<span class="opsync-badge" style="background:{};color:#fff;padding:2px 8px;border-radius:9px">{}</span>',
        colour,
        label,
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Seen, never edited: run records are written by runs, the mirror by the sync."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TableFilter(admin.SimpleListFilter):
    title = _("table")
    parameter_name = "table"

    def lookups(self, request, model_admin):
        return [(name, name) for name in TABLE_NAMES]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(results__table=self.value()).distinct()
        return queryset


class SyncTableResultInline(admin.TabularInline):
    model = SyncTableResult
    extra = 0
    can_delete = False
    fields = (
        "table",
        "badge",
        *COUNTERS,
        "errors",
        "cursor_before",
        "cursor_after",
        "duration_seconds",
        "error",
        "row_errors_list",
        "changes_list",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Table results are part of their run: whoever may see runs sees them.
        return request.user.has_perm("syncapp.view_syncrun")

    @admin.display(description=_("status"))
    def badge(self, result):
        return status_badge(result.status, result.get_status_display())

    @admin.display(description=_("row errors"))
    def row_errors_list(self, result):
        return format_html_join(
            "", "<div>id {}: {}</div>", ((error["id"], error["reason"]) for error in result.row_errors)
        )

    @admin.display(description=_("changes"))
    def changes_list(self, result):
        rows = format_html_join(
            "",
            '<li><span class="opsync-change">#{} {}</span> {}</li>',
            (
                (c["id"], CHANGE_LABELS[c["action"]], ", ".join(c["columns"]) if c["action"] in SHOWS_COLUMNS else "")
                for c in result.changes
            ),
        )
        more = result.changed - len(result.changes)
        tail = format_html("<li>… {}</li>", _("and %(count)s more") % {"count": more}) if more > 0 else ""
        return format_html('<ul class="opsync-changes">{}{}</ul>', rows, tail) if result.changes else "-"


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "badge",
        "started_at",
        "duration_display",
        "trigger",
        "mode",
        "dry_run",
        *COUNTER.values(),
        "errors",
    )
    list_display_links = ("id", "badge")
    list_filter = ("status", "trigger", "mode", "dry_run", ("started_at", admin.DateFieldListFilter), TableFilter)
    search_fields = ("error", "results__error", "results__row_errors")
    inlines = [SyncTableResultInline]
    fieldsets = (
        (
            None,
            {"fields": (("badge", "trigger", "mode", "dry_run"), ("started_at", "finished_at", "duration_display"))},
        ),
        (_("Totals"), {"fields": ((*COUNTERS, "errors"),)}),
        (_("Details"), {"fields": ("error", "tables", "options", ("host", "pid", "triggered_by"))}),
    )
    readonly_fields = flatten_fieldsets(fieldsets)  # everything shown, nothing editable

    @admin.display(description=_("status"), ordering="status")
    def badge(self, run):
        return status_badge(run.status, run.get_status_display())

    @admin.display(description=_("duration"))
    def duration_display(self, run):
        return "-" if run.duration is None else f"{run.duration.total_seconds():.2f} s"


class DeletedFilter(admin.SimpleListFilter):
    title = pgettext_lazy("mirror row", "deleted")
    parameter_name = "deleted"

    def __init__(self, request, params, model, model_admin):
        self.field = model_admin.deleted_at  # the model field fed by FAC's deleted_at
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [("no", _("No")), ("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(Q(**{f"{self.field}__isnull": self.value() == "no"}))
        return queryset


class MirrorAdmin(ReadOnlyAdmin):
    change_list_template = "admin/syncapp/mirror/change_list.html"
    change_form_template = "admin/syncapp/mirror/change_form.html"
    list_per_page = 50
    deleted_at = "deleted_at"  # the model field fed by FAC's deleted_at

    @admin.display(description=pgettext_lazy("mirror row", "deleted"), boolean=True)
    def is_deleted(self, row):
        return getattr(row, self.deleted_at) is not None


class ClientAdmin(MirrorAdmin):
    list_display = ("id", "nom", "type", "email", "telephone", "ville", "pays", "nif", "synced_at", "is_deleted")
    list_filter = (DeletedFilter, "type", "pays", "ville")
    search_fields = ("nom", "email", "telephone", "nif", "rccm", "contact_principal")


class TransitaireAdmin(MirrorAdmin):
    list_display = ("id", "nom", "email", "telephone", "nif", "actif", "synced_at", "is_deleted")
    list_filter = (DeletedFilter, "actif")
    search_fields = ("nom", "email", "telephone", "nif", "rccm", "contact_principal")


class ArmateurAdmin(MirrorAdmin):
    list_display = ("id", "code", "nom", "email", "telephone", "actif", "synced_at", "is_deleted")
    list_filter = (DeletedFilter, "actif")
    search_fields = ("nom", "code", "email")


class RepresentantAdmin(MirrorAdmin):
    list_display = ("id", "nom", "prenom", "zone", "taux_commission", "actif", "synced_at", "is_deleted")
    list_filter = (DeletedFilter, "actif", "zone")
    search_fields = ("nom", "prenom", "email", "telephone", "zone")


class ServiceAdmin(MirrorAdmin):
    list_display = ("id", "code", "nom", "prix_unitaire", "unite", "categorie", "statut", "synced_at", "is_deleted")
    list_filter = (DeletedFilter, "categorie", "statut", "unite")
    search_fields = ("code", "nom", "description")


class AdoptedMirrorAdmin(MirrorAdmin):
    """An adopted OPS table: the mapped columns under their OPS names, read-only like the mirror."""

    mapping = None  # set per table below

    def get_list_display(self, request):
        """The id and the first mapped text columns (the list stays readable), then the deleted state."""
        fields = self.model._meta.concrete_fields
        texts = [f.name for f in fields if isinstance(f, CharField) and f.column != self.deleted_at][:8]
        return ["id", *texts] + (["is_deleted"] if self.deleted_at else [])

    def get_list_filter(self, request):
        return [DeletedFilter] if self.deleted_at else []

    def get_search_fields(self, request):
        return [f.name for f in self.model._meta.concrete_fields if isinstance(f, CharField)]

    @property
    def deleted_at(self):
        """The model field fed by FAC's deleted_at, if the mapping feeds one."""
        column = self.mapping.ops_name("deleted_at")
        return next((f.name for f in self.model._meta.concrete_fields if f.column == column), None)


@admin.register(VanishedRow)
class VanishedRowAdmin(ReadOnlyAdmin):
    """Rows gone from FAC (hard deletes), kept in OPS: marked deleted, or only recorded here."""

    list_display = ("table", "row_id", "noticed_at")
    list_filter = ("table",)
    search_fields = ("=row_id",)


@admin.register(OpsOnlyRow)
class OpsOnlyRowAdmin(ReadOnlyAdmin):
    """The adopted tables' rows that FAC does not have: the operations application's, left alone."""

    list_display = ("table", "row_id", "noticed_at")
    list_filter = ("table",)
    search_fields = ("=row_id",)


BUILT_IN_ADMINS = {
    "clients": ClientAdmin,
    "transitaires": TransitaireAdmin,
    "armateurs": ArmateurAdmin,
    "representants": RepresentantAdmin,
    "services": ServiceAdmin,
}
for mapping in mappings():
    if mapping.adopted:
        model_admin = type(f"{mapping.name}AdoptedAdmin", (AdoptedMirrorAdmin,), {"mapping": mapping})
        admin.site.register(ADOPTED_MODELS[mapping.name], model_admin)
    else:
        admin.site.register(mapping.mirror, BUILT_IN_ADMINS[mapping.name])
