"""Users and groups, with their permissions named in the reader's language; and axes' login records.

Django stores permission names in English, once, at migrate ("Can view sync run"), and the
admin shows them as stored. Here each is named again when shown: Django's four actions by
their model, opsync's own by its translated name.

axes pages its login records by day (date_hierarchy), which MySQL computes with CONVERT_TZ: NULL on a
server without time zone tables (a fresh MariaDB has none), and each list a 500. Here the same lists
go without it; their filter by date (ranges computed by Django, in Python) works on any server.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from syncapp.web.admin_base import TitledList

ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """`app | model | what it allows`, as the admin lists them, in the reader's language."""
    content_type = permission.content_type
    model = content_type.model_class()
    model_name = model._meta.verbose_name if model else content_type.model
    action = permission.codename.partition("_")[0]
    if action in ACTIONS and permission.codename == f"{action}_{content_type.model}":
        name = ACTIONS[action] % {"model": model_name}
    else:
        name = gettext(permission.name)
    try:
        app = apps.get_app_config(content_type.app_label).verbose_name
    except LookupError:  # a permission left by an app no longer installed
        app = content_type.app_label
    return f"{app} | {model_name} | {name}"


class PermissionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


class TranslatedPermissions(admin.ModelAdmin):
    """Mixed into UserAdmin and GroupAdmin, which it precedes: its super() is theirs."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionChoices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OpsyncUserAdmin(TitledList, TranslatedPermissions, UserAdmin):
    pass


class OpsyncGroupAdmin(TitledList, TranslatedPermissions, GroupAdmin):
    pass


for model, model_admin in ((User, OpsyncUserAdmin), (Group, OpsyncGroupAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)


def no_edit(self, request, obj=None) -> bool:
    return False


for model, axes_admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    # A record of what happened is read, not edited (the index offered « Modification »); deleting an
    # attempt stays: it is how an administrator lifts a lock-out from the admin.
    read_only = {"date_hierarchy": None, "has_add_permission": no_edit, "has_change_permission": no_edit}
    # The browser's long user agent and the login page's path (always the same) on the record's own
    # page only: the list stays inside its box beside the filters.
    listed = [column for column in axes_admin.list_display if column not in ("user_agent", "path_info")]
    admin.site.unregister(model)
    admin.site.register(
        model, type(axes_admin.__name__, (TitledList, axes_admin), {**read_only, "list_display": listed})
    )
