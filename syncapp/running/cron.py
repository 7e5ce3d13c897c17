"""The jobs django-crontab runs (settings.CRONJOBS).

django-crontab catches and only logs a job's exception, so these functions make sure
that what went wrong is in the run history, the sync log and, once, the ADMINS' mail.
"""

import logging

from django.conf import settings

from syncapp.engine.outcome import SyncOptions
from syncapp.models import SyncRun
from syncapp.running.alerts import alerts_send, repair_report_send
from syncapp.running.retention import runs_prune
from syncapp.running.runs import stoppable_run

logger = logging.getLogger("opsync.sync")


def run_scheduled(options: SyncOptions) -> SyncRun:
    try:
        run = stoppable_run(options=options, trigger=SyncRun.Trigger.CRON)  # SIGTERM: a stop
        assert run is not None, "a run skipped for the lock is recorded (record_skip)"
        return run
    except Exception:
        # The run record already says "failed" when it could be written (runs.run_tables);
        # the traceback goes to the sync log, and the alert below tells the ADMINS.
        logger.exception("scheduled run failed")
        raise
    finally:
        alerts_send()


def scheduled_sync() -> None:
    run_scheduled(SyncOptions())


def scheduled_alerts() -> None:
    """With a watcher (SYNC_WATCH=true), in place of the scheduled sync: the mails still go out
    when something goes wrong, the watcher itself gone included."""
    alerts_send()


def scheduled_daily() -> None:
    """Daily (SYNC_DAILY): every row compared. `repair` writes what differs, as --force would, and
    mails what it repaired: a silent fix in FAC is FAC's truth, and nobody should have to type
    --force at 3 a.m. `verify` only compares; a difference fails the run, and is mailed."""
    if settings.SYNC_DAILY == "verify":
        run_scheduled(SyncOptions(verify=True))
    else:
        repair_report_send(run_scheduled(SyncOptions(repair=True)))


def scheduled_prune() -> None:
    pruned = runs_prune(keep_days=settings.SYNC_KEEP_DAYS)
    logger.info("pruned %s run records older than %s days", pruned, settings.SYNC_KEEP_DAYS)
