from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncappConfig(AppConfig):
    name = "syncapp"
    verbose_name = _("FAC synchronisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from syncapp.engine.mirror_tables import mirrors_on_migrate

        # Imported for what they register: the admins on the site, and the log of each failed login.
        from syncapp.web import admin_auth, admin_mirror, admin_runs, logins  # noqa: F401

        post_migrate.connect(mirrors_on_migrate, sender=self)  # the declared tables' mirrors
