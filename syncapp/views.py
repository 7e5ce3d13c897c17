"""/healthz/sync: JSON for uptime monitors. No secrets, no personal data, no FAC query unless asked.

Beside the tables: the watcher's heartbeat (null when none ever ran) and, over the last 24 h, how
long changes took to arrive in OPS (null when none did).

And `/`, which leads to the admin: the dashboard is what people come for.
"""

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone

from syncapp.selectors import stale_after, sync_status


def health(request: HttpRequest) -> JsonResponse:
    """200 when every table is fresh and nothing is failing, else 503. `?fac=1` also checks FAC."""
    try:
        status = sync_status(check_fac=request.GET.get("fac") == "1")
    except DatabaseError:  # OPS itself down, or not migrated: say so, and nothing else
        return JsonResponse({"status": "failing", "ops": "unreachable", "checked_at": now()}, status=503)
    last = status.last_run
    # "stale" when stale tables are all that is wrong; "failing" when anything else is too.
    failing = any(p.failing and p.kind != "stale" for p in status.problems)
    body = {
        "status": "ok" if status.healthy else "failing" if failing else "stale",
        "level": status.level.name,
        "checked_at": now(),
        "ops": "reachable",
        "stale_after_seconds": int(stale_after().total_seconds()),
        "last_run": None
        if last is None
        else {"id": last.pk, "status": last.status, "finished_at": last.finished_at.isoformat()},
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
        if not latency.count
        else {"median": round(latency.median, 2), "max": round(latency.highest, 2), "syncs": latency.count}
    )
    if status.fac_checked:
        body["fac"] = "reachable" if status.fac_error is None else "unreachable"
    return JsonResponse(body, status=200 if status.healthy else 503)


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
