"""The watcher's early syncs at a cost that follows the change (syncapp/running/watch.py, engine/plan.py).

On MariaDB, with and without an index on FAC's updated_at, one poll at a time: an insert, an
update and a soft delete arrive through the early syncs; a hard delete and a row inserted below
FAC's highest id with no updated_at arrive by the periodic run at the latest; with the index, an
early sync reads a range of it, not the table; without it, the next early sync waits after the
scan; a change committed while a run is in progress is looked at as soon as the run ends, and a
change the run covered starts no second run; --check and --status name the missing index.
"""

import time
from datetime import timedelta

import pytest

from syncapp.models import Client, SyncRun, SyncState, SyncTableResult
from syncapp.running.watch import WatchLoop
from tests import backend
from tests.factories import ClientFactory, fac_now
from tests.mirror import differences, sync
from tests.sessions import poll, query, root_session

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(databases=["default", "facturation"], transaction=True)]
INDEX = "clients_updated_at_index"


@pytest.fixture(params=[False, True], ids=["without-index", "with-index"])
def indexed(request, fac):
    """FAC's clients, with the index FAC's administrator may add on updated_at, or without it."""
    session = root_session(backend.FAC_TEST_DATABASE)
    if request.param:
        query(session, f"CREATE INDEX {INDEX} ON clients (updated_at)")
    yield request.param
    if request.param:
        query(session, f"DROP INDEX {INDEX} ON clients")
    session.close()


def watch_runs() -> int:
    return SyncRun.objects.filter(trigger=SyncRun.Trigger.WATCH).count()


def started(settings) -> WatchLoop:
    """A watcher on clients alone, after its start (a periodic run); it never waits between polls here."""
    settings.SYNC_WATCH_SCAN_FACTOR = 0
    loop = WatchLoop(["clients"], interval=0.1, full_every=3600, say=lambda line: None)
    loop.poll()
    return loop


def until_arrived(loop: WatchLoop, probe, what: str) -> None:
    def polled():
        time.sleep(min(loop.poll(), 0.3))
        return probe()

    poll(polled, what, seconds=30)


def test_an_insert_an_update_and_a_soft_delete_arrive_through_the_early_syncs(fac, indexed, settings):
    rows = ClientFactory.create_batch(3, updated_at=fac_now())
    loop = started(settings)
    assert differences(fac) == []
    runs = watch_runs()

    new = ClientFactory(updated_at=fac_now())
    until_arrived(loop, lambda: Client.objects.filter(pk=new["id"]).exists(), "the insert")
    fac.update("clients", rows[0]["id"], nom="Nouveau nom", updated_at=fac_now())
    until_arrived(loop, lambda: Client.objects.get(pk=rows[0]["id"]).nom == "Nouveau nom", "the update")
    fac.update("clients", rows[1]["id"], deleted_at=fac_now(), updated_at=fac_now())
    until_arrived(loop, lambda: Client.objects.get(pk=rows[1]["id"]).deleted_at is not None, "the soft delete")

    assert differences(fac) == []
    assert watch_runs() - runs <= 6  # early syncs only: at most one more run each than the changes
    assert SyncState.objects.get(table="clients").fac_scan_seconds is not None


def test_a_hard_delete_and_a_hand_made_row_arrive_by_the_periodic_run_at_the_latest(fac, indexed, settings):
    rows = ClientFactory.create_batch(3, updated_at=fac_now())
    loop = started(settings)
    fac.hard_delete("clients", rows[0]["id"])
    hand_made = ClientFactory(id=rows[0]["id"] - 1 if rows[0]["id"] > 1 else 10**6, updated_at=None)
    ClientFactory(updated_at=fac_now())  # a change the early sync does see
    for _ in range(3):
        time.sleep(min(loop.poll(), 0.3))

    loop.next_full = 0  # the periodic run is due
    loop.poll()

    assert Client.objects.get(pk=rows[0]["id"]).deleted_at is not None
    assert Client.objects.filter(pk=hand_made["id"]).exists()
    assert differences(fac) == []


def test_with_the_index_an_early_sync_reads_a_range_of_it_not_the_table(fac, settings):
    session = root_session(backend.FAC_TEST_DATABASE)
    ClientFactory.create_batch(2000, updated_at=fac_now().replace(year=2020))
    ClientFactory(updated_at=fac_now() - timedelta(days=1))  # the cursor: a day ago, the others long before
    query(session, f"CREATE INDEX {INDEX} ON clients (updated_at)")
    try:
        loop = started(settings)
        for indexed in (True, False):
            if not indexed:
                query(session, f"DROP INDEX {INDEX} ON clients")
            new = ClientFactory(updated_at=fac_now())
            scanned = server_rows_read(session)
            until_arrived(loop, lambda new=new: Client.objects.filter(pk=new["id"]).exists(), "the insert")
            scanned = server_rows_read(session) - scanned
            if indexed:
                assert scanned < 200, f"{scanned} rows read by opsync's reader for one change, with the index"
            else:
                assert scanned >= 2000, f"{scanned} rows read: without the index, the table is scanned"
    finally:
        query(session, f"DROP INDEX IF EXISTS {INDEX} ON clients")
        session.close()


def server_rows_read(session) -> int:
    """Rows the FAC reader (opsync) has read, by MariaDB's per-user statistics: its own, whatever another
    suite sharing the server is doing."""
    query(session, "SET GLOBAL userstat = 1")
    found = query(session, "SELECT ROWS_READ FROM information_schema.USER_STATISTICS WHERE USER = %s",
                  [backend.READER_USER])  # fmt: skip
    return int(found[0][0]) if found else 0


def test_without_the_index_the_next_early_sync_waits_after_the_scan_and_says_so_once(fac, settings):
    ClientFactory.create_batch(3, updated_at=fac_now())
    said: list[str] = []
    loop = WatchLoop(["clients"], interval=0.1, full_every=3600, say=said.append)
    settings.SYNC_WATCH_SCAN_FACTOR = 1000  # so that the rest shows, whatever the scan took
    loop.poll()
    ClientFactory(updated_at=fac_now())
    time.sleep(1.1)  # the insert's second is over
    loop.poll()
    runs = watch_runs()
    loop.poll()
    assert watch_runs() == runs  # resting: the next early sync waits
    assert "clients" in loop.not_before
    lines = [line for line in said if "CREATE INDEX `clients_updated_at_index` ON `clients` (`updated_at`);" in line]
    assert len(lines) == 1, said


def test_a_change_committed_during_a_run_is_looked_at_as_soon_as_it_ends(fac, settings):
    row = ClientFactory(updated_at=fac_now())

    class Committing(WatchLoop):
        """A FAC change committed while the run is in progress: after it read FAC, before it ended."""

        change = None

        def sync(self, tables, watch_from=()):
            run = super().sync(tables, watch_from)
            if self.change:
                self.change()
                self.change = None
            return run

    settings.SYNC_WATCH_SCAN_FACTOR = 0
    loop = Committing(["clients"], interval=0.1, full_every=3600, say=lambda line: None)
    loop.poll()
    writer = fac
    time.sleep(1.1)
    loop.change = lambda: writer.update("clients", row["id"], nom="Pendant", updated_at=fac_now())
    loop.next_full = 0
    assert loop.poll() == 0.0  # the hints moved during the run: look again at once, not after the interval
    runs = watch_runs()
    until_arrived(loop, lambda: Client.objects.get(pk=row["id"]).nom == "Pendant", "the change")
    assert watch_runs() == runs + 1

    new = ClientFactory(updated_at=fac_now())  # then one insert: one run, and no follow-up run
    until_arrived(loop, lambda: Client.objects.filter(pk=new["id"]).exists(), "the insert")
    runs = watch_runs()
    time.sleep(1.1)
    for _ in range(3):
        loop.poll()
    assert watch_runs() == runs


def test_check_and_status_name_the_missing_index_with_the_statement_to_ask_for(indexed):
    ClientFactory.create_batch(2)
    assert sync()[0] == 0
    code, output = sync("--check")
    assert code == 0, output
    statement = "CREATE INDEX `clients_updated_at_index` ON `clients` (`updated_at`);"
    assert (statement in output) is not indexed
    assert "CREATE INDEX `services_updated_at_index` ON `services` (`updated_at`);" in output
    code, output = sync("--status")
    notes = [line for line in output.splitlines() if "has no index on updated_at" in line]
    assert any(line.startswith("FAC services has no index on updated_at (0 rows, last scan ") for line in notes)
    assert any(statement in line and "(2 rows, last scan " in line for line in notes) is not indexed


@pytest.mark.parametrize("count", [6, 60, 600])
def test_soft_deletes_at_once_under_the_watcher_are_copied_within_seconds_none_refused(fac, settings, count):
    """A billing user deletes several clients at once: the watcher's early sync planned with no count of
    the live rows and counted FAC's own soft deletes against the mass-delete guard (« refused to mark 6
    of 0 live rows deleted … confirm with --allow-mass-delete »), until the periodic run."""
    rows = ClientFactory.create_batch(count + 4, updated_at=fac_now())
    loop = started(settings)
    first, last = rows[0]["id"], rows[count - 1]["id"]  # the factory's ids follow each other
    fac.execute("UPDATE clients SET deleted_at = %s, updated_at = %s WHERE id BETWEEN %s AND %s",
                [fac_now(), fac_now(), first, last])  # fmt: skip

    until_arrived(loop, lambda: Client.objects.filter(deleted_at__isnull=False).count() == count, "the soft deletes")

    assert not SyncTableResult.objects.filter(status=SyncTableResult.Status.FAILED).exists()
    assert differences(fac) == []
