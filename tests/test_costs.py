"""What an anonymous request costs OPS does not grow with the history: /healthz/sync, the login page, a failed
login, the locked-out page.

Counted, not timed: MariaDB's own count of the rows the session read (its Handler_read_* counters) for
one request, with a small history and then with months of it. A query that scans a table reads more
rows as the table grows; one that an index serves reads the same few.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from syncapp.config.mapping import table_names
from syncapp.models import SyncRun, SyncTableResult

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(databases=["default", "facturation"], transaction=True)]
SLACK = 50  # rows: the optimizer's estimates may change a plan's few reads as tables grow, not thousands
PAST_RUNS = 3000  # every 5 minutes for ten days, or 90 days of a quieter schedule: either way, thousands


def rows_read() -> int:
    """Rows this session has read so far, by every means (index lookups, index ranges, scans)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS LIKE 'Handler_read%%'")
        return sum(int(value) for _, value in cursor.fetchall())


def cost(client, path: str, **post) -> int:
    """The rows read for one request of the test client, which runs in this thread, on this session."""
    before = rows_read()
    answer = client.post(path, post) if post else client.get(path)
    assert answer.status_code != 500
    return rows_read() - before  # counting itself reads a few rows, the same each time


def runs_add(count: int, *, since: timedelta) -> None:
    """`count` finished runs, one every 43 minutes going back from `since` ago, each with a result per table."""
    now = timezone.now()
    starts = [now - since - timedelta(minutes=43 * n) for n in range(count)]
    runs = SyncRun.objects.bulk_create(
        SyncRun(started_at=start, finished_at=start + timedelta(seconds=2), status="success", trigger="cron")
        for start in starts
    )
    SyncTableResult.objects.bulk_create(
        (
            SyncTableResult(run=run, table=table, status="success", started_at=run.started_at, latency_seconds=3.0)
            for run in runs
            for table in table_names()
        ),
        batch_size=2000,
    )


def test_the_health_check_reads_as_much_with_months_of_history_as_with_an_hour(client):
    runs_add(12, since=timedelta(0))  # the last hour: the latency figures' day, and each table's last run
    client.get("/healthz/sync")  # the session's first queries (its settings, the server's version) aside
    recent = cost(client, "/healthz/sync")
    runs_add(PAST_RUNS, since=timedelta(days=2))
    assert cost(client, "/healthz/sync") <= recent + SLACK, recent


def test_the_login_page_a_failed_login_and_the_locked_out_page_read_as_much_whatever_the_history(client, settings):
    User.objects.create_superuser("admin", "admin@opsync.ga", "Le-bon-mot-de-passe-2026")
    client.get("/admin/login/")
    wrong = {"username": "admin", "password": "mauvais"}

    def costs() -> list[int]:
        page = cost(client, "/admin/login/")
        failed = [cost(client, "/admin/login/", **wrong) for _ in range(settings.AXES_FAILURE_LIMIT)]
        locked = cost(client, "/admin/login/", **wrong)  # the locked-out page
        AccessAttempt.objects.all().delete()  # unlocked again, for the next count
        return [page, *failed, locked]

    small = costs()
    # Months of logins: axes' record of each, and the sessions they opened (Django keeps expired ones
    # until `clearsessions`).
    now = timezone.now()
    AccessLog.objects.bulk_create(
        AccessLog(username="admin", ip_address="192.0.2.50", user_agent="x", attempt_time=now - timedelta(hours=n))
        for n in range(20000)
    )
    Session.objects.bulk_create(
        Session(session_key=f"{n:032d}", session_data="x", expire_date=now - timedelta(hours=n)) for n in range(20000)
    )
    large = costs()
    assert all(after <= before + SLACK for before, after in zip(small, large, strict=True)), (small, large)
