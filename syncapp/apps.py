from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncappConfig(AppConfig):
    name = "syncapp"
    verbose_name = _("FAC synchronisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from syncapp import logins  # noqa: F401 (logs each failed login)
        from syncapp.mirror_tables import mirrors_on_migrate

        post_migrate.connect(mirrors_on_migrate, sender=self)  # the declared tables' mirrors
