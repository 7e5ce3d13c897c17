"""opsync's admin site: Django's own, plus the sync dashboard at /admin/syncapp/dashboard/.

The dashboard's buttons start a run in a process of its own and open its page at once: the
request never waits for the sync (gunicorn would cut it after its timeout).
"""

from functools import wraps

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from syncapp.engine.outcome import SyncOptions
from syncapp.models import SyncRun
from syncapp.running.runs import run_from_dashboard
from syncapp.status.dashboard import dashboard_context
from syncapp.web.logins import desk_remember


def post_only(view):
    """As Django's require_POST, but the 405 page says so in the reader's language."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            response = TemplateResponse(request, "405.html", {"allowed": "POST"}, status=405)
            response["Allow"] = "POST"
            return response
        return view(request, *args, **kwargs)

    return wrapped


class OpsyncAdminSite(admin.AdminSite):
    site_header = _("opsync administration")
    site_title = _("opsync")
    index_title = _("FAC → OPS synchronisation")
    site_url = None  # there is no site besides the admin: no "View site" link

    def get_app_list(self, request: HttpRequest, app_label=None):
        """Django's list, as people look for things: the sync in one section that opens on its dashboard
        (the adopted and declared tables with the five); axes' login records are named by their app
        (syncapp/apps.py)."""
        apps = {app["app_label"]: app for app in super().get_app_list(request, app_label)}
        sync, fed = apps.get("syncapp"), apps.pop("adopted", None)
        if fed is not None:
            if sync is None:
                sync = apps["syncapp"] = {**fed, "app_label": "syncapp", "name": gettext("FAC synchronisation")}
            else:
                sync["models"] = sorted(sync["models"] + fed["models"], key=lambda model: str(model["name"]))
        if sync is not None and request.user.has_perm("syncapp.view_syncrun"):
            dashboard = {
                "name": gettext("Sync dashboard"),
                "object_name": "Dashboard",
                "perms": {"add": False, "change": False, "delete": False, "view": True},
                "admin_url": reverse("admin:syncapp_dashboard"),
                "add_url": None,
                "view_only": True,
            }
            sync["models"] = [dashboard, *sync["models"]]
        return sorted(apps.values(), key=lambda app: str(app["name"]))

    def login(self, request: HttpRequest, extra_context=None):
        """Django's login; once it succeeds, this browser is the account's desk (syncapp/web/logins.py)."""
        response = super().login(request, extra_context)
        if request.method == "POST" and request.user.is_authenticated:
            desk_remember(response, request.user.get_username())
        return response

    def get_urls(self):
        from syncapp.web.admin_mirror import declared_admins_register  # the admin modules register on this site

        declared_admins_register(self)
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
    @post_only
    def run_from_dashboard(request: HttpRequest, *, dry_run: bool):
        """The same command as cron's, in a process of its own, under the same lock; then the run's page."""
        if not request.user.has_perm("syncapp.run_sync"):
            raise PermissionDenied
        run, started = run_from_dashboard(options=SyncOptions(dry_run=dry_run), user=request.user)
        if not started:
            # Said as the run's badge says it (« en attente » is not « en cours »), and not with the
            # green tick of a success: nothing was started by this click.
            if run.status == SyncRun.Status.QUEUED:
                under_way = (
                    gettext("Dry run #%(id)s is already waiting to start: here it is.")
                    if run.dry_run
                    else gettext("Run #%(id)s is already waiting to start: here it is.")
                )
            else:
                under_way = (
                    gettext("Dry run #%(id)s is already under way: here it is.")
                    if run.dry_run
                    else gettext("Run #%(id)s is already under way: here it is.")
                )
            messages.warning(request, under_way % {"id": run.pk})
        elif run.status == SyncRun.Status.FAILED:
            messages.error(request, gettext("Not started: %(reason)s.") % {"reason": run.problem_text})
        else:
            said = gettext("Dry run #%(id)s started.") if dry_run else gettext("Run #%(id)s started.")
            messages.info(request, said % {"id": run.pk})
        return HttpResponseRedirect(reverse("admin:syncapp_syncrun_change", args=[run.pk]))
