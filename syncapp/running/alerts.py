"""Mail the ADMINS when the sync goes wrong, and again when it recovers: once per change.

And after the daily check, when it found OPS different from FAC: what it repaired. Mails are
written in LANGUAGE_CODE, as the people who receive them read.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import mail_admins
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from syncapp.common.messages import render
from syncapp.models import AlertState, SyncRun
from syncapp.status.problems import Problem
from syncapp.status.run_text import ShownChange, labelled
from syncapp.status.selectors import sync_status

logger = logging.getLogger("opsync.sync")
CHANGES_MAILED = 50  # per table, in the daily check's mail


def alerts_send() -> str | None:
    """Compare what is wrong now with what the ADMINS were told; mail them on a change.

    Returns "alert", "recovery" or None (nothing new to say).
    """
    problems = [p for p in sync_status(check_fac=False).problems if p.failing]  # the records alone: no FAC query
    keys = sorted(problem.key for problem in problems)
    state = AlertState.objects.first() or AlertState(problems=[])
    if keys == state.problems:
        return None
    kind = "recovery" if not keys else "alert"
    if mail(*alert_text(kind, problems)):
        state.problems, state.changed_at = keys, timezone.now()
        state.save()
        return kind
    return None


def dashboard_url() -> str:
    return f"{settings.OPSYNC_BASE_URL}{reverse('admin:syncapp_dashboard')}"


def alert_text(kind: str, problems: list[Problem]) -> tuple[str, str]:
    if kind == "recovery":
        return _("FAC → OPS sync recovered"), _("Every table is in step again.") + "\n\n"
    lines = [f"- {render(problem.message)} — {render(problem.advice)}" for problem in problems]
    return _("FAC → OPS sync needs attention"), "\n".join(lines) + "\n\n"


def repair_report_send(run: SyncRun) -> bool:
    """After the daily check: what it found different and repaired, if anything (a mail), else nothing."""
    if run.mode != SyncRun.Mode.REPAIR or not run.changed:
        return False
    lines = [_("The daily check found OPS different from FAC and repaired it (run #%(run)s):") % {"run": run.pk}, ""]
    for result in run.results.exclude(inserted=0, updated=0, deleted=0, restored=0):
        lines.append(labelled(result.table, str(result.changed)))
        for change in map(ShownChange.of, result.changes[:CHANGES_MAILED]):
            lines.append(f"  {change.number} ({change.columns})" if change.columns else f"  {change.number}")
    lines.append("")
    return mail(_("FAC → OPS sync: the daily check repaired OPS"), "\n".join(lines))


def mail(subject: str, body: str) -> bool:
    """Send the mail, with the dashboard's address; a mail server that is down is logged, and the next run tries
    again."""
    body += _("Dashboard: %(url)s") % {"url": dashboard_url()} + "\n"
    try:
        mail_admins(subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        logger.error("alert mail not sent (%s): %s", exc.__class__.__name__, exc)
        return False
    logger.info("mail sent: %s", subject)
    return True
