from django.contrib.admin.apps import AdminConfig


class OpsyncAdminConfig(AdminConfig):
    """Django's admin, with opsync's site (it adds the sync dashboard)."""

    default_site = "syncapp.web.admin_site.OpsyncAdminSite"
