"""What only a real MySQL server can show: late commits, time zones, drift, bad rows, kill -9."""

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connections

from syncapp.engine.lock import SyncLock
from syncapp.models import Client, SyncRun, SyncState, SyncTableResult, Transitaire
from tests.fac import FacWriter, create_mariadb_fac
from tests.factories import ClientFactory, TransitaireFactory, fac_now
from tests.mirror import check_lines_of, differences, subprocess_env, sync

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(databases=["default", "facturation"], transaction=True)]


@pytest.fixture
def rebuilt_fac(fac):
    """For tests that alter FAC's schema: FAC is rebuilt from the DDL file afterwards."""
    yield fac
    connections["facturation"].close()
    create_mariadb_fac()


def latest(table: str) -> SyncTableResult:
    return SyncRun.objects.latest("started_at").results.get(table=table)


@pytest.mark.parametrize("lookback", [600, 0])
def test_a_transaction_committed_late_is_caught_by_the_look_back(fac, settings, lookback):
    settings.SYNC_LOOKBACK_SECONDS = lookback
    t0 = fac_now() - timedelta(minutes=1)  # in the past: FAC's clock caps the cursor
    early, other = ClientFactory.create_batch(2, updated_at=t0 - timedelta(minutes=1))
    sync()
    # The billing app stamps a row at t0, but its transaction commits only after a
    # later row (t0 + 5 s) has been committed and read by a run.
    slow = FacWriter()
    slow.execute("START TRANSACTION")
    slow.update("clients", early["id"], nom="commit tardif", updated_at=t0)
    fac.update("clients", other["id"], nom="commit rapide", updated_at=t0 + timedelta(seconds=5))
    sync()
    slow.execute("COMMIT")
    slow.close()

    sync()

    if lookback:
        assert differences(fac) == []
    else:  # what the look-back is for: without it, the late row is lost
        assert Client.objects.get(pk=early["id"]).nom != "commit tardif"


def test_timestamps_keep_their_instant_whatever_the_server_time_zone(fac):
    root = FacWriter()
    root.execute("SET GLOBAL time_zone = '+01:00'")  # Libreville's server
    try:
        connections.close_all()  # new sessions start under the server's new default
        # The billing app writes in its own session time zone: 11:00 in Libreville is 10:00 UTC.
        fac.execute("SET time_zone = '+01:00'")
        row = ClientFactory(updated_at="2026-03-01 11:00:00", created_at="2026-03-01 11:00:00")
        fac.execute("SET time_zone = '+00:00'")

        sync()

        instant = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
        client = Client.objects.get(pk=row["id"])
        assert client.updated_at == instant and client.created_at == instant
        assert SyncState.objects.get(table="clients").cursor == instant
        assert differences(fac) == []
    finally:
        root.execute("SET GLOBAL time_zone = 'SYSTEM'")
        root.close()
        connections.close_all()


def test_a_missing_fac_column_fails_that_table_only(rebuilt_fac):
    ClientFactory()
    TransitaireFactory()
    rebuilt_fac.execute("ALTER TABLE transitaires DROP COLUMN rccm")

    status, output = sync()

    assert status == 1
    assert "transitaires: schema drift: FAC table 'transitaires' has no column 'rccm'" in output
    assert latest("transitaires").status == SyncTableResult.Status.FAILED
    assert latest("clients").status == SyncTableResult.Status.SUCCESS
    assert Client.objects.count() == 1 and Transitaire.objects.count() == 0
    assert SyncRun.objects.get().status == SyncRun.Status.PARTIAL


def test_check_compares_live_fac_with_the_mapping_and_writes_nothing(rebuilt_fac):
    status, output = sync("--check")
    assert status == 0 and "FAC and OPS fit the mapping." in output
    rebuilt_fac.execute("ALTER TABLE armateurs DROP COLUMN code, DROP COLUMN actif")

    status, output = sync("--check")

    assert status == 1
    assert "armateurs: FAC armateurs.code is missing\narmateurs: FAC armateurs.actif is missing\n" in output
    assert check_lines_of(output, "clients") == []
    assert not SyncRun.objects.exists()


def test_a_missing_fac_table_fails_that_table_only(rebuilt_fac):
    ClientFactory()
    rebuilt_fac.execute("DROP TABLE services")

    status, output = sync()

    assert status == 1
    assert "services: FAC has no table 'services'" in output
    assert Client.objects.count() == 1


def test_an_extra_fac_column_is_ignored(rebuilt_fac):
    rebuilt_fac.execute("ALTER TABLE clients ADD COLUMN fidelite INT NULL")
    ClientFactory(fidelite=3)

    status, output = sync()

    assert status == 0, output
    assert Client.objects.count() == 1


def test_a_row_ops_cannot_store_is_recorded_retried_and_never_skipped(rebuilt_fac, settings):
    fac = rebuilt_fac
    fac.execute("ALTER TABLE clients MODIFY nom VARCHAR(300) NOT NULL")  # FAC widened a column
    t0 = fac_now()
    bad = ClientFactory(nom="N" * 300, updated_at=t0 - timedelta(minutes=30))
    good = ClientFactory.create_batch(2, updated_at=t0)

    status, output = sync()

    assert status == 1
    outcome = latest("clients")
    assert outcome.status == SyncTableResult.Status.PARTIAL
    assert outcome.inserted == 2 and outcome.errors == 1
    assert outcome.row_errors[0]["id"] == bad["id"]
    assert outcome.row_errors[0]["reason"] == f"row #{bad['id']} not stored: value too long for column nom"
    assert f"clients: row #{bad['id']} not stored: value too long for column nom" in output
    log = settings.SYNC_LOG_FILE.read_text()
    assert f"clients row #{bad['id']} not stored: value too long for column nom (Data too long for column" in log
    assert {c.pk for c in Client.objects.all()} == {g["id"] for g in good}
    state = SyncState.objects.get(table="clients")
    assert state.retry_ids == [bad["id"]]
    assert state.cursor <= (t0 - timedelta(minutes=30)).replace(tzinfo=UTC)  # not past the bad row

    sync()
    assert latest("clients").row_errors[0]["id"] == bad["id"]  # tried again

    fac.update("clients", bad["id"], nom="N" * 255)  # fixed in FAC, updated_at untouched
    status, output = sync()

    assert status == 0, output
    assert differences(fac) == []
    assert SyncState.objects.get(table="clients").retry_ids == []


def test_a_killed_run_leaves_no_lock_and_is_marked_abandoned(fac):
    ClientFactory.create_batch(3)
    blocker = FacWriter()
    blocker.execute("LOCK TABLES clients WRITE")  # the child's read of clients waits on this
    child = subprocess.Popen(
        [sys.executable, "manage.py", "sync_from_facturation"],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        killed = wait_for(lambda: SyncRun.objects.filter(status=SyncRun.Status.RUNNING).first())
        wait_for(lambda: SyncLock().is_held())
        child.kill()  # SIGKILL: no chance to clean up
        child.wait(timeout=30)
    finally:
        blocker.execute("UNLOCK TABLES")
        blocker.close()

    assert not SyncLock().is_held()
    status, output = sync()

    assert status == 0, output
    killed.refresh_from_db()
    assert killed.status == SyncRun.Status.ABANDONED
    assert differences(fac) == []


def wait_for(probe, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := probe():
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the child run")
