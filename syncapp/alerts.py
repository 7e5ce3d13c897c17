"""Mail the ADMINS when the sync goes wrong, and again when it recovers: once per change."""

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import mail_admins
from django.urls import reverse
from django.utils import timezone

from syncapp.models import AlertState, SyncRun
from syncapp.status import stale_after, sync_status

logger = logging.getLogger("opsync.sync")
FAILING = (SyncRun.Status.FAILED, SyncRun.Status.PARTIAL)


@dataclass(frozen=True)
class Problem:
    key: str
    text: str


def last_real_run() -> SyncRun | None:
    """The newest finished run that tried to apply something (not a dry run, not skipped)."""
    runs = SyncRun.objects.filter(dry_run=False, finished_at__isnull=False)
    return runs.exclude(status=SyncRun.Status.SKIPPED).order_by("-started_at", "-id").first()


def current_problems() -> list[Problem]:
    """What is wrong now, from the records alone (no FAC query)."""
    problems = []
    last = last_real_run()
    if last is not None and last.status in FAILING:
        problems.append(Problem("run_failed", f"Run #{last.pk} {last.status}: {last.error or 'rows refused'}"))
    limit = int(stale_after().total_seconds() // 60)
    for table in sync_status(check_fac=False).tables:
        if table.stale:
            since = "never" if table.last_success_at is None else timezone.localtime(table.last_success_at)
            problems.append(
                Problem(f"stale:{table.table}", f"{table.table}: no success for {limit}+ minutes (last: {since})")
            )
    return problems


def alerts_send() -> str | None:
    """Compare what is wrong now with what the ADMINS were told; mail them on a change.

    Returns "alert", "recovery" or None (nothing new to say).
    """
    problems = current_problems()
    keys = sorted(problem.key for problem in problems)
    state = AlertState.objects.first() or AlertState(problems=[])
    if keys == state.problems:
        return None
    kind = "recovery" if not keys else "alert"
    if mail(kind, problems):
        state.problems, state.changed_at = keys, timezone.now()
        state.save()
        return kind
    return None


def mail(kind: str, problems: list[Problem]) -> bool:
    """Send the mail; a mail server that is down is logged, and the next run tries again."""
    dashboard = f"{settings.OPSYNC_BASE_URL}{reverse('admin:syncapp_dashboard')}"
    if kind == "recovery":
        subject = "FAC → OPS sync recovered"
        body = f"Every table is in step again.\n\nDashboard: {dashboard}\n"
    else:
        subject = "FAC → OPS sync needs attention"
        body = "\n".join(f"- {problem.text}" for problem in problems) + f"\n\nDashboard: {dashboard}\n"
    try:
        mail_admins(subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        logger.error("alert mail not sent (%s): %s", exc.__class__.__name__, exc)
        return False
    logger.info("alert mail sent: %s", kind)
    return True
