"""/healthz/sync: JSON for uptime monitors. No secrets, no personal data, no table counted; FAC reached
only with `?fac=1`, and then at most once per SYNC_HEALTH_FAC_EVERY seconds whoever calls.

Beside the tables: the watcher's heartbeat (null when none ever ran) and, over the last 24 h, how
long changes took to arrive in OPS (null when none did).

And `/`, which leads to the admin: the dashboard is what people come for.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone

from syncapp.config.databases import FacUnreachable, fac_check_afresh
from syncapp.models import FacCheck
from syncapp.status.levels import stale_after
from syncapp.status.selectors import health_status


def health(request: HttpRequest) -> JsonResponse:
    """200 when every table is fresh and nothing is failing, else 503. `?fac=1` also checks FAC."""
    try:
        status = health_status()
        fac_check = fac_check_shared() if request.GET.get("fac") == "1" else None
        if fac_check is not None:
            status.fac_error, status.fac_checked = fac_check.problem, True
    except DatabaseError:  # OPS itself down, or not migrated: say so, and nothing else
        return JsonResponse({"status": "failing", "ops": "unreachable", "checked_at": now()}, status=503)
    last = status.last_run
    # "stale" when stale tables are all that is wrong; "failing" when anything else is too.
    failing = any(p.failing and p.kind != "stale" for p in status.problems)
    body: dict[str, Any] = {
        "status": "ok" if status.healthy else "failing" if failing else "stale",
        "level": status.level.name,
        "checked_at": now(),
        "ops": "reachable",
        "stale_after_seconds": int(stale_after().total_seconds()),
        "last_run": None
        if last is None
        else {
            "id": last.pk,
            "status": last.status,
            "finished_at": last.finished_at.isoformat() if last.finished_at else None,
        },
        "tables": {
            table.table: {
                "stale": table.stale,
                "level": table.level.name,
                "last_success": table.last_success_at.isoformat() if table.last_success_at else None,
                "age_seconds": None if table.age is None else int(table.age.total_seconds()),
            }
            for table in status.tables
        },
    }
    watcher = status.watcher
    body["watcher"] = (
        None
        if watcher.record is None
        else {
            "alive": watcher.alive,
            "state": watcher.state,
            "last_heartbeat": watcher.record.beat_at.isoformat(),
            "poll_interval_seconds": watcher.record.interval_seconds,
        }
    )
    latency = status.latency
    body["latency_seconds"] = (
        None
        if latency.median is None or latency.highest is None  # no sync wrote rows
        else {"median": round(latency.median, 2), "max": round(latency.highest, 2), "syncs": latency.count}
    )
    if fac_check is not None:  # FAC's answer as the last shared check had it, and how old it is
        body["fac"] = "reachable" if status.fac_error is None else "unreachable"
        body["fac_checked_at"] = fac_check.checked_at.isoformat()
        body["fac_check_age_seconds"] = int((timezone.now() - fac_check.checked_at).total_seconds())
    return JsonResponse(body, status=200 if status.healthy else 503)


def fac_check_shared() -> FacCheck:
    """Reach FAC unless a check within SYNC_HEALTH_FAC_EVERY already did; callers meanwhile wait for it
    (at most FAC's connect timeout) and share its answer, whichever web worker they came to."""
    FacCheck.objects.get_or_create(pk=1, defaults={"checked_at": timezone.now() - timedelta(days=1)})
    with transaction.atomic():
        check = FacCheck.objects.select_for_update().get(pk=1)
        if timezone.now() - check.checked_at < timedelta(seconds=settings.SYNC_HEALTH_FAC_EVERY):
            return check
        try:
            fac_check_afresh()
            check.problem = None
        except FacUnreachable as exc:
            check.problem = exc.problem
        check.checked_at = timezone.now()
        check.save()
        return check


def now() -> str:
    return timezone.now().isoformat()


def home(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:syncapp_dashboard"))


# Two arrows, FAC to OPS: the browser's tab icon (an SVG; every current browser takes one here).
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#264b5d"/>'
    '<path d="M7 12h14l-4-4M25 20H11l4 4" stroke="#f5dd5d" stroke-width="3" fill="none" stroke-linecap="round"/></svg>'
)


def favicon(request):
    response = HttpResponse(FAVICON, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
