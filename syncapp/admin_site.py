"""opsync's admin site: Django's own, plus the sync dashboard at /admin/syncapp/dashboard/."""

from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from syncapp.dashboard import dashboard_context
from syncapp.engine.outcome import SyncOptions
from syncapp.models import SyncRun
from syncapp.runs import sync_run


class OpsyncAdminSite(admin.AdminSite):
    site_header = _("opsync administration")
    site_title = _("opsync")
    index_title = _("FAC → OPS synchronisation")

    def get_urls(self):
        urls = [
            path("syncapp/dashboard/", self.admin_view(self.dashboard), name="syncapp_dashboard"),
            path("syncapp/dashboard/sync/", self.admin_view(self.start_sync), name="syncapp_dashboard_sync"),
            path("syncapp/dashboard/preview/", self.admin_view(self.start_preview), name="syncapp_dashboard_preview"),
        ]
        return urls + super().get_urls()

    def dashboard(self, request: HttpRequest):
        if not request.user.has_perm("syncapp.view_syncrun"):
            raise PermissionDenied
        context = {
            **self.each_context(request),
            **dashboard_context(),
            "title": gettext("Sync dashboard"),
            "can_run_sync": request.user.has_perm("syncapp.run_sync"),
        }
        return TemplateResponse(request, "admin/syncapp/dashboard.html", context)

    def start_sync(self, request: HttpRequest):
        return self.run_from_dashboard(request, dry_run=False)

    def start_preview(self, request: HttpRequest):
        return self.run_from_dashboard(request, dry_run=True)

    @staticmethod
    @require_POST
    @permission_required("syncapp.run_sync", raise_exception=True)
    def run_from_dashboard(request: HttpRequest, *, dry_run: bool):
        """The same engine as the command, under the same lock; then show the run."""
        run = sync_run(options=SyncOptions(dry_run=dry_run), trigger=SyncRun.Trigger.ADMIN, user=request.user)
        if run.status == SyncRun.Status.SKIPPED:
            messages.warning(request, gettext("Not started: %(reason)s.") % {"reason": run.error})
            return HttpResponseRedirect(reverse("admin:syncapp_dashboard"))
        level = messages.SUCCESS if run.status == SyncRun.Status.SUCCESS else messages.ERROR
        messages.add_message(
            request, level, gettext("Run #%(id)s: %(status)s.") % {"id": run.pk, "status": run.get_status_display()}
        )
        return HttpResponseRedirect(reverse("admin:syncapp_syncrun_change", args=[run.pk]))
