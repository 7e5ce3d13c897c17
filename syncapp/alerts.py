"""Mail the ADMINS when the sync goes wrong, and again when it recovers: once per change."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import mail_admins
from django.urls import reverse
from django.utils import timezone

from syncapp.models import AlertState
from syncapp.selectors import Problem, sync_status

logger = logging.getLogger("opsync.sync")


def alerts_send() -> str | None:
    """Compare what is wrong now with what the ADMINS were told; mail them on a change.

    Returns "alert", "recovery" or None (nothing new to say).
    """
    problems = sync_status(check_fac=False).problems  # from the records alone: no FAC query
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
