from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdoptedConfig(AppConfig):
    name = "syncapp.adopted"
    label = "adopted"
    verbose_name = _("OPS tables fed by FAC")
