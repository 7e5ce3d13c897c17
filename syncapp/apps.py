from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoginRecordsConfig(AxesConfig):
    """django-axes under a name that says what its records are, in the index, the menu and the
    breadcrumbs, not the package's (« Axes »)."""

    verbose_name = _("Login records")
    default = False  # named in INSTALLED_APPS; syncapp's own is SyncappConfig


class SyncappConfig(AppConfig):
    default = True  # this module holds axes' too
    name = "syncapp"
    verbose_name = _("FAC synchronisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from syncapp.engine.mirror_tables import mirrors_on_migrate

        # Imported for what they register: the admins on the site, and the log of each failed login.
        from syncapp.web import admin_auth, admin_mirror, admin_runs, logins  # noqa: F401

        post_migrate.connect(mirrors_on_migrate, sender=self)  # the declared tables' mirrors
