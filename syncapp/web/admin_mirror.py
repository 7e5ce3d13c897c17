"""The admin of the mirror and of the row records: read-only lists (the mirror is owned by the sync)."""

from collections.abc import Callable

from django.contrib import admin
from django.db.models import CharField, DecimalField, Model, Q, TextField
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


# The five's lists as opsync ships them, by OPS column: (listed, filtered by, searched). Every other
# table's (adopted, declared) are chosen from its columns by MirrorAdmin itself.
LISTS = {
    "clients": (
        ("nom", "ville", "telephone", "email"),
        ("type", "pays", "ville"),
        ("nom", "email", "telephone", "nif", "rccm", "contact_principal"),
    ),
    "transitaires": (
        ("nom", "telephone", "email", "actif"),
        ("actif",),
        ("nom", "email", "telephone", "nif", "rccm", "contact_principal"),
    ),
    "armateurs": (("code", "nom", "telephone", "actif"), ("actif",), ("nom", "code", "email")),
    "representants": (
        ("nom", "prenom", "zone", "taux_commission", "actif"),
        ("actif", "zone"),
        ("nom", "prenom", "email", "telephone", "zone"),
    ),
    "services": (
        ("code", "nom", "prix_unitaire", "unite", "statut"),
        ("categorie", "statut", "unite"),
        ("code", "nom", "description"),
    ),
}


class MirrorAdmin(ReadOnlyAdmin):
    """The rows of one table in OPS, whatever its kind (one of the five, adopted, declared): read-only,
    the mirror being the sync's. Built for each table by mirror_admin()."""

    change_list_template = "admin/syncapp/mirror/change_list.html"
    change_form_template = "admin/syncapp/mirror/change_form.html"
    list_per_page = 50
    mapping: TableMapping  # set per table by mirror_admin()
    # The model field that marks a row deleted (fed by FAC's deleted_at, or the mirror's own), if any:
    # as the declaration says it, so that a list never asks FAC. Set per table by mirror_admin().
    deleted_at: str | None = None

    def field_named(self, column: str) -> str | None:
        """The model attribute of an OPS column (a declared table's may differ from it)."""
        return next((f.name for f in self.model._meta.concrete_fields if f.column == column), None)

    def shown(self, name: str) -> str:
        """How a field is shown: an amount grouped by thousands (« 85 000,00 ») on the list and the row's
        page alike, an e-mail address broken only at its @ and dots; else as Django shows it."""
        field = self.model._meta.get_field(name)
        if isinstance(field, DecimalField):
            return f"{name}_amount"
        return "email_shown" if field.column == "email" else name

    def chosen(self, position: int) -> list[str] | None:
        """One of the five's lists as shipped (LISTS), as model attributes; None for another table."""
        if self.mapping.adopted or self.mapping.name not in LISTS:
            return None
        return [name for column in LISTS[self.mapping.name][position] if (name := self.field_named(column))]

    def get_list_display(self, request):
        """The id, the shipped columns (the five), or else the columns that say whose a row is (the
        identity's) and a text column more while there is room for four; then the deleted state: the
        list stays inside its box."""
        listed = self.chosen(0)
        if listed is None:
            fields = self.model._meta.concrete_fields
            identity = (self.mapping.ops_name_declared(column) for column in self.mapping.identity)
            named = [name for column in identity if column and (name := self.field_named(column))]
            texts = [f.name for f in fields if isinstance(f, CharField | TextField) and f.name != self.deleted_at]
            listed = list(dict.fromkeys([*named, *texts]))[:4]
        return ["id", *(self.shown(name) for name in listed)] + (["is_deleted"] if self.deleted_at else [])

    def get_list_filter(self, request):
        return ([DeletedFilter] if self.deleted_at else []) + (self.chosen(1) or [])

    def get_search_fields(self, request):
        searched = self.chosen(2)
        if searched is None:
            return [f.name for f in self.model._meta.concrete_fields if isinstance(f, CharField | TextField)]
        return searched

    def get_fields(self, request, obj=None):
        """Every column on the row's page, each shown as on the list."""
        return [self.shown(f.name) for f in self.model._meta.concrete_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Titled « Ligne de la table « navires » », not Django's « Affichage de ligne de navires »
        (« View %s »: a noun without its article, and a declared table's name cannot be given one)."""
        title = gettext("Row of the table “%(table)s”") % {"table": self.model._meta.db_table}
        return super().change_view(request, object_id, form_url, {"title": title, **(extra_context or {})})

    @admin.display(description=_("email"), ordering="email")
    def email_shown(self, row):
        """Broken, where the column is narrow, at its @ and its dots, never inside a word
        (« anicet.mbadinga@gm|ail.com »)."""
        text = escape(getattr(row, self.field_named("email") or "email", None) or "")
        return mark_safe(text.replace("@", "<wbr>@").replace(".", ".<wbr>"))  # noqa: S308 (escaped above)

    @admin.display(description=pgettext_lazy("mirror row", "copied"), ordering="synced_at")
    def synced(self, row):
        return formats.local_time(row.synced_at)

    def deleted_text(self, row):
        """In words, not Django's icons (a green tick read as "all is well" for a deleted row): the list's
        « Supprimée » column (is_deleted, made by mirror_admin, which sorts by the table's own field)."""
        deleted_at = getattr(row, self.deleted_at) if self.deleted_at else None
        if deleted_at is None:
            return ""
        return format_html(
            '<span title="{}">{}</span>', formats.local_time(deleted_at), pgettext_lazy("row", "deleted")
        )


def amount_display(field: DecimalField) -> Callable:
    """A method that shows a DECIMAL column as an amount, under the column's own label."""

    @admin.display(description=field.verbose_name, ordering=field.name)
    def shown(self, row):
        return formats.amount(getattr(row, field.name), field.decimal_places or 0)

    return shown


def deleted_display(ordering: str | None) -> Callable:
    @admin.display(description=pgettext_lazy("mirror row", "deleted"), ordering=ordering)
    def is_deleted(self, row):
        return self.deleted_text(row)

    return is_deleted


def mirror_admin(mapping: TableMapping, model: type[Model]) -> type[MirrorAdmin]:
    """The one way every table's admin is built: the five's, an adopted table's, a declared one's."""
    fields = model._meta.concrete_fields
    amounts = {f"{f.name}_amount": amount_display(f) for f in fields if isinstance(f, DecimalField)}
    column = mapping.ops_deleted_at_declared
    deleted = next((f.name for f in fields if column and f.column == column), None)
    attributes = {"mapping": mapping, "deleted_at": deleted, "is_deleted": deleted_display(deleted), **amounts}
    return type(f"{model.__name__}Admin", (MirrorAdmin,), attributes)


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


for mapping in mappings():  # the five's own mirrors: their models are syncapp's, there from the start
    if mapping.built_in and not mapping.adopted:
        admin.site.register(BUILT_IN[mapping.name][0], mirror_admin(mapping, BUILT_IN[mapping.name][0]))


def declared_admins_register(site: admin.AdminSite) -> None:
    """The lists of the tables opsync reads without a model of its own (adopted, declared), once their
    OPS tables exist (read from OPS when the URLs are built)."""
    for name, model in declared_models().items():
        if not site.is_registered(model):
            site.register(model, mirror_admin(mapping_for(name), model))
