"""What every opsync admin shares: it shows, it never edits."""

from django.contrib import admin
from django.utils.text import capfirst


class TitledList:
    """A list titled by what it lists (« Lignes disparues »), not Django's « Sélectionnez l'objet … à changer »
    (its French has a straight apostrophe, and « objet » where the page lists users)."""

    def changelist_view(self, request, extra_context=None):
        title = capfirst(self.model._meta.verbose_name_plural)  # type: ignore[attr-defined]  # a ModelAdmin's
        return super().changelist_view(request, {"title": title, **(extra_context or {})})  # type: ignore[misc]


class ReadOnlyAdmin(TitledList, admin.ModelAdmin):
    """Seen, never edited: run records are written by runs, the mirror by the sync."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
