from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncappConfig(AppConfig):
    name = "syncapp"
    verbose_name = _("FAC synchronisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from syncapp import logins  # noqa: F401 (logs each failed login)
