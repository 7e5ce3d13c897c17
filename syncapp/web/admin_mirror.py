"""The admin of the mirror and of the row records: read-only lists (the mirror is owned by the sync)."""

from django.contrib import admin
from django.db.models import CharField, Q, TextField
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from syncapp.adopted.models import declared_models, table_model
from syncapp.common import formats
from syncapp.config.mapping import BUILT_IN, TableMapping, mapping_for, mappings
from syncapp.models import OpsOnlyRow, RenumberedRow, VanishedRow
from syncapp.web.admin_base import ReadOnlyAdmin


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

    @property
    def deleted_at(self) -> str | None:
        """The model field fed by FAC's deleted_at, if any: each of the five mirrors has it."""
        return "deleted_at"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Titled « Ligne de la table « navires » », not Django's « Affichage de ligne de navires »
        (« View %s »: a noun without its article, and a declared table's name cannot be given one)."""
        title = gettext("Row of the table “%(table)s”") % {"table": self.model._meta.db_table}
        return super().change_view(request, object_id, form_url, {"title": title, **(extra_context or {})})

    @admin.display(description=_("email"), ordering="email")
    def email_shown(self, row):
        """Broken, where the column is narrow, at its @ and its dots, never inside a word
        (« anicet.mbadinga@gm|ail.com »)."""
        text = escape(getattr(row, "email", None) or "")
        return mark_safe(text.replace("@", "<wbr>@").replace(".", ".<wbr>"))  # noqa: S308 (escaped above)

    @admin.display(description=pgettext_lazy("mirror row", "copied"), ordering="synced_at")
    def synced(self, row):
        return formats.local_time(row.synced_at)

    @admin.display(description=pgettext_lazy("mirror row", "deleted"), ordering="deleted_at")
    def is_deleted(self, row):
        """In words, not Django's icons (a green tick read as "all is well" for a deleted row)."""
        deleted_at = getattr(row, self.deleted_at) if self.deleted_at else None
        if deleted_at is None:
            return ""
        return format_html(
            '<span title="{}">{}</span>', formats.local_time(deleted_at), pgettext_lazy("row", "deleted")
        )


class ClientAdmin(MirrorAdmin):
    list_display = ("id", "nom", "ville", "telephone", "email_shown", "is_deleted")  # the rest on the row's page
    list_filter = (DeletedFilter, "type", "pays", "ville")
    search_fields = ("nom", "email", "telephone", "nif", "rccm", "contact_principal")


class TransitaireAdmin(MirrorAdmin):
    list_display = ("id", "nom", "telephone", "email_shown", "actif", "is_deleted")
    list_filter = (DeletedFilter, "actif")
    search_fields = ("nom", "email", "telephone", "nif", "rccm", "contact_principal")


class ArmateurAdmin(MirrorAdmin):
    list_display = ("id", "code", "nom", "telephone", "actif", "is_deleted")
    list_filter = (DeletedFilter, "actif")
    search_fields = ("nom", "code", "email")


class RepresentantAdmin(MirrorAdmin):
    list_display = ("id", "nom", "prenom", "zone", "commission", "actif", "is_deleted")
    list_filter = (DeletedFilter, "actif", "zone")
    search_fields = ("nom", "prenom", "email", "telephone", "zone")

    @admin.display(description=_("commission rate"), ordering="taux_commission")
    def commission(self, row):
        return formats.amount(row.taux_commission)


class ServiceAdmin(MirrorAdmin):
    list_display = ("id", "code", "nom", "price", "unite", "statut", "is_deleted")
    list_filter = (DeletedFilter, "categorie", "statut", "unite")
    search_fields = ("code", "nom", "description")

    @admin.display(description=_("unit price"), ordering="prix_unitaire")
    def price(self, row):
        return formats.amount(row.prix_unitaire)


class AdoptedMirrorAdmin(MirrorAdmin):
    """An adopted OPS table: the mapped columns under their OPS names, read-only like the mirror."""

    mapping: TableMapping  # set per table, in the subclass made below

    def get_list_display(self, request):
        """The id, the columns that say whose a row is (the identity's), a text column more while there
        is room for four, then the deleted state: the list stays inside its box."""
        fields = self.model._meta.concrete_fields
        by_column = {f.column: f.name for f in fields}
        named = (self.mapping.ops_name_declared(column) for column in self.mapping.identity)
        identity = [by_column[column] for column in named if column in by_column]
        texts = [f.name for f in fields if isinstance(f, CharField | TextField) and f.column != self.deleted_at]
        shown = list(dict.fromkeys([*identity, *texts]))[:4]
        return ["id", *shown] + (["is_deleted"] if self.deleted_at else [])

    def get_list_filter(self, request):
        return [DeletedFilter] if self.deleted_at else []

    def get_search_fields(self, request):
        return [f.name for f in self.model._meta.concrete_fields if isinstance(f, CharField | TextField)]

    @property
    def deleted_at(self) -> str | None:
        """The model field that marks a row deleted (fed by FAC's deleted_at, or the mirror's own), if any:
        as the declaration says it, so that a list never asks FAC."""
        column = self.mapping.ops_deleted_at_declared
        return next((f.name for f in self.model._meta.concrete_fields if f.column == column), None)


@admin.register(VanishedRow)
class VanishedRowAdmin(ReadOnlyAdmin):
    """Rows gone from FAC (hard deletes), kept in OPS: marked deleted, or only recorded here."""

    change_list_template = "admin/syncapp/records/change_list.html"

    list_display = ("table", "row_id", "row_name", "noticed")
    list_filter = ("table",)
    search_fields = ("=row_id",)

    @admin.display(description=_("the row in OPS"))
    def row_name(self, record):
        """Which client, forwarder… the row was: its name as OPS keeps it."""
        return row_names(record.table, [record.row_id]).get(record.row_id, "-")

    @admin.display(description=_("noticed at"), ordering="noticed_at")
    def noticed(self, record):
        return formats.local_time(record.noticed_at)


@admin.register(OpsOnlyRow)
class OpsOnlyRowAdmin(ReadOnlyAdmin):
    """The adopted tables' rows that are the operations application's own, left alone; those whose id
    FAC uses too collide until `--renumber-ops-only` moves them."""

    change_list_template = "admin/syncapp/records/change_list.html"

    list_display = ("table", "row_id", "row_name", "collision", "noticed")
    list_filter = ("table", "collides")
    search_fields = ("=row_id",)
    row_name, noticed = VanishedRowAdmin.row_name, VanishedRowAdmin.noticed

    @admin.display(description=_("collision"), ordering="collides")
    def collision(self, record):
        """In words (a green tick would read as "all is well")."""
        return _("FAC has a row of this id") if record.collides else ""


@admin.register(RenumberedRow)
class RenumberedRowAdmin(ReadOnlyAdmin):
    """Where `--renumber-ops-only` moved each row: people look up "client 19406" by its former id."""

    change_list_template = "admin/syncapp/records/change_list.html"

    list_display = ("ops_table", "old_id", "new_id", "references", "renumbered")
    list_filter = ("table",)
    search_fields = ("=old_id", "=new_id")

    @admin.display(description=_("renumbered at"), ordering="renumbered_at")
    def renumbered(self, record):
        return formats.local_time(record.renumbered_at)


def row_names(table: str, ids: list[int]) -> dict[int, str]:
    model = table_model(table)
    if model is None or (column := mapping_for(table).declared_ops_name("nom")) is None:
        return {}
    name = next((f.name for f in model._meta.concrete_fields if f.column == column), None)
    if name is None:
        return {}
    return dict(model._default_manager.filter(pk__in=ids).values_list("pk", name))


BUILT_IN_ADMINS = {
    "clients": ClientAdmin,
    "transitaires": TransitaireAdmin,
    "armateurs": ArmateurAdmin,
    "representants": RepresentantAdmin,
    "services": ServiceAdmin,
}
for mapping in mappings():
    if mapping.built_in and not mapping.adopted:
        admin.site.register(BUILT_IN[mapping.name][0], BUILT_IN_ADMINS[mapping.name])


def declared_admins_register(site: admin.AdminSite) -> None:
    """The lists of the tables opsync reads without a model of its own (adopted, declared), once their
    OPS tables exist (read from OPS when the URLs are built)."""
    for name, model in declared_models().items():
        if not site.is_registered(model):
            site.register(model, type(f"{name}ReadAdmin", (AdoptedMirrorAdmin,), {"mapping": mapping_for(name)}))
