"""The watcher (`sync_from_facturation --watch`, syncapp/running/watch.py), against real servers.

In a child process, as systemd runs it: it copies an insert and an update by itself, records
nothing while idle and holds no transaction open; SIGTERM in the middle of a table leaves that
table as it was; with FAC cut off for 10 s it says so once, waits, and resumes by itself.
In-process, one poll at a time: a change the hints cannot see waits for the periodic run.
The tests wait for convergence; none of them measures time (bench/run.py does).
"""

import signal
import threading
import time
from contextlib import suppress
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.urls import reverse
from django.utils import timezone, translation

from syncapp.config.mapping import BUILT_IN_NAMES, mapping_for
from syncapp.models import Client, SyncRun, SyncState, Watcher
from syncapp.running.watch import WatchLoop
from syncapp.sql.hints import table_hints
from tests import backend
from tests.factories import ClientFactory, fac_now
from tests.mirror import differences, sync
from tests.relay import Relay
from tests.sessions import (
    RowLock,
    cursors,
    end_child,
    mirror_snapshot,
    poll,
    query,
    root_session,
    start_child,
    synced_then_edited,
    wait_for_blocked_write,
)

pytestmark = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
mariadb = pytest.mark.mariadb
FAST = {"SYNC_WATCH_INTERVAL": "0.2"}  # polls, in the child processes


def watch_runs() -> list[SyncRun]:
    return list(SyncRun.objects.filter(trigger=SyncRun.Trigger.WATCH).order_by("id"))


def stop(child) -> str:
    """SIGTERM, as systemctl stop sends it; what the child printed."""
    child.send_signal(signal.SIGTERM)
    out, err = child.communicate(timeout=60)
    return out + err


def open_transactions(user: str, database: str) -> list[tuple]:
    """InnoDB transactions open now in `user`'s sessions on `database`."""
    observer = root_session()
    try:
        return query(
            observer,
            "SELECT p.id, t.trx_state, t.trx_started FROM information_schema.innodb_trx t "
            "JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id WHERE p.user = %s AND p.db = %s",
            [user, database],
        )
    finally:
        observer.close()


@mariadb
def test_a_watcher_copies_an_insert_and_an_update_by_itself_and_is_quiet_when_idle(fac, client):
    ClientFactory.create_batch(3)
    child = start_child("--watch", **FAST)
    try:
        # Its record from its start (so that a long first run beats), its first run (a full incremental one) next.
        poll(lambda: watch_runs() and watch_runs()[0].status != SyncRun.Status.RUNNING, "the watcher's first run")
        assert Watcher.objects.exists()
        assert watch_runs()[0].tables == list(BUILT_IN_NAMES) and watch_runs()[0].status == SyncRun.Status.SUCCESS
        time.sleep(1.5)  # FAC was emptied this very second: those hints settle, and are looked at again
        first = watch_runs()[-1]

        new = ClientFactory(nom="Nouveau client", updated_at=fac_now())
        poll(lambda: Client.objects.filter(pk=new["id"]).exists(), "the insert to reach OPS")
        fac.update("clients", new["id"], nom="Client renommé", updated_at=fac_now())
        poll(lambda: Client.objects.get(pk=new["id"]).nom == "Client renommé", "the update to reach OPS")

        early = [run for run in watch_runs() if run.pk > first.pk]
        assert early and all(run.tables == ["clients"] for run in early)  # that table alone
        assert all(run.status == SyncRun.Status.SUCCESS for run in early)
        assert any(r.latency_seconds is not None for run in early for r in run.results.all())
        client.force_login(User.objects.create_superuser("chef", "chef@opsync.ga", "x"))
        page = client.get(reverse("admin:syncapp_syncrun_change", args=[early[0].pk])).content.decode()
        assert "incrémentale, par la surveillance" in page and "FAC → OPS en " in page  # how long it took, in French

        # Idle: once the last change's second is over and was looked at again (a hint of the
        # current second is not trusted), ten polls and more record nothing, and leave no
        # transaction open on either side.
        time.sleep(1.5)
        recorded = SyncRun.objects.count()
        time.sleep(2)
        assert SyncRun.objects.count() == recorded
        assert open_transactions(backend.READER_USER, backend.FAC_TEST_DATABASE) == []
        ops = connections["default"].settings_dict
        assert open_transactions(ops["USER"], ops["NAME"]) == []

        # Seen from outside: alive, with its latency.
        output = sync("--status")[1]
        assert "Watcher: alive on" in output and "Changes arrived in OPS (last 24 h): median" in output
        assert "'latency_max'=" in output.splitlines()[0]
        health = client.get("/healthz/sync").json()
        assert health["watcher"]["alive"] is True and health["watcher"]["state"] == "watching"
        assert health["latency_seconds"]["syncs"] >= 1
    finally:
        printed = stop(child)

    assert child.returncode == 0, printed
    assert "Watching FAC every 0.2 s" in printed and printed.rstrip().endswith("Watcher stopped.")
    assert "Traceback" not in printed
    watcher = Watcher.objects.get()
    assert watcher.stopped_at is not None
    assert "Watcher: stopped on" in sync("--status")[1]


@mariadb
def test_sigterm_in_the_middle_of_a_table_leaves_that_table_as_it_was(fac):
    """The watcher's first run blocks on an OPS row another session holds, mid-way through
    clients; SIGTERM then stops it after that batch, rolling the whole table back."""
    ids = synced_then_edited(fac, clients=600)
    before, cursors_before = mirror_snapshot(), cursors()
    lock = RowLock("clients", ids[300])  # batch 7 of 50 rows: six batches written before it
    child = start_child("--watch", SYNC_BATCH_SIZE="50", **FAST)
    try:
        blocked = wait_for_blocked_write(lock, child)
        assert blocked.rows_modified >= 300, "earlier batches should be written, in the table's open transaction"
        running = SyncRun.objects.get(status=SyncRun.Status.RUNNING)
        child.send_signal(signal.SIGTERM)
        time.sleep(0.5)  # the signal is in; the write still waits on the lock
        assert child.poll() is None
    finally:
        lock.release()  # the batch goes through; the stop comes right after it
    out, err = child.communicate(timeout=60)
    end_child(child)

    assert child.returncode == 0, out + err
    assert "Traceback" not in out + err
    running.refresh_from_db()
    assert running.status == SyncRun.Status.STOPPED and running.finished_at is not None
    assert "stopped as asked (SIGTERM) before the end of: clients" in running.error
    assert not running.results.filter(table="clients").exists()
    assert mirror_snapshot() == before, "rows of the stopped table's transaction survived it"
    assert cursors() == cursors_before

    status, output = sync()

    assert status == 0, output
    assert differences(fac) == []


def hidden_update(fac, loop: WatchLoop, row_id: int, other_id: int) -> bool:
    """Update `row_id` so that the hints cannot see it, as MariaDB allows: in a long transaction
    begun in the same second as a short one that commits first, and is synced once that second is
    over. The long one's commit then leaves UPDATE_TIME (a transaction's start, to the second)
    where it was, and an update leaves MAX(id) alone. False if the second ticked over between
    the two starts: try again."""
    while time.time() % 1 > 0.2:  # at the start of a second
        time.sleep(0.01)
    started = int(time.time())
    long = root_session(backend.FAC_TEST_DATABASE)
    try:
        query(long, "START TRANSACTION")
        query(long, "UPDATE clients SET nom = 'Caché', updated_at = UTC_TIMESTAMP() WHERE id = %s", [row_id])
        fac.update("clients", other_id, nom="Vu", updated_at=fac_now())  # begun and committed after it
        time.sleep(started + 1.1 - time.time())  # that second is over: the hints settle
        loop.poll()  # sees the short one's commit and syncs clients; the long one is still open
        query(long, "COMMIT")
    finally:
        long.close()
    hints = table_hints(connections["facturation"], [mapping_for("clients").fac_table])
    return hints["clients"] == loop.seen["clients"]


@mariadb
def test_a_change_the_hints_cannot_see_is_copied_by_the_periodic_run(fac):
    rows = ClientFactory.create_batch(4)
    loop = WatchLoop(list(BUILT_IN_NAMES), interval=0.1, full_every=8, say=lambda line: None)
    loop.poll()  # its start: a full incremental run of every table
    assert differences(fac) == []

    hidden = next((row["id"] for row in rows[:3] if hidden_update(fac, loop, row["id"], rows[3]["id"])), None)
    assert hidden is not None, "MariaDB's UPDATE_TIME moved each time: the hints saw every change"
    assert Client.objects.get(pk=rows[3]["id"]).nom == "Vu"  # the change the hints saw was copied

    loop.poll()
    assert Client.objects.get(pk=hidden).nom != "Caché", "nothing showed it: no table should have synced"
    runs = SyncRun.objects.count()
    poll(lambda: time.monotonic() >= loop.next_full, "the periodic run to be due", seconds=15)
    loop.poll()

    assert SyncRun.objects.count() == runs + 1
    assert SyncRun.objects.latest("id").tables == list(BUILT_IN_NAMES)
    assert Client.objects.get(pk=hidden).nom == "Caché"
    assert differences(fac) == []


@mariadb
def test_with_fac_cut_off_for_ten_seconds_the_watcher_says_so_once_and_resumes(fac, settings):
    ClientFactory.create_batch(2)
    log_before = settings.SYNC_LOG_FILE.read_text() if settings.SYNC_LOG_FILE.exists() else ""
    relay = Relay()
    child = start_child("--watch", FAC_DB_PORT=str(relay.port), **FAST)
    try:
        poll(lambda: watch_runs(), "the watcher's first run")
        relay.cut()
        poll(
            lambda: Watcher.objects.filter(state=Watcher.State.FAC_UNREACHABLE).exists(),
            "the watcher to tell OPS that FAC is unreachable",
        )
        while_down = ClientFactory(nom="Créé pendant la coupure", updated_at=fac_now())  # straight to the server
        time.sleep(10)
        assert child.poll() is None, "the watcher should ride the outage out"
        assert not Client.objects.filter(pk=while_down["id"]).exists()
        relay.restore()
        poll(lambda: Client.objects.filter(pk=while_down["id"]).exists(), "the watcher to resume", seconds=60)
        poll(lambda: Watcher.objects.filter(state=Watcher.State.WATCHING).exists(), "its heartbeat to say so")
    finally:
        printed = stop(child)
        relay.close()

    assert child.returncode == 0, printed
    assert printed.count("FAC unreachable") == 1, printed  # one line when it happened…
    assert printed.count("Back to normal after") == 1, printed  # …and one when it was over
    assert "Traceback" not in printed
    log = settings.SYNC_LOG_FILE.read_text().removeprefix(log_before)
    assert log.count("watcher: FAC unreachable") == 1 and log.count("watcher: back to normal") == 1
    assert differences(fac) == []


def test_a_poll_syncs_what_changed_and_an_idle_poll_records_nothing(fac):
    """On both backends (SQLite's hint is the file's change counter, PRAGMA data_version)."""
    ClientFactory.create_batch(2)
    said: list[str] = []
    loop = WatchLoop(list(BUILT_IN_NAMES), interval=0.1, full_every=3600, say=said.append)
    with translation.override("en"):
        loop.poll()
        assert differences(fac) == []
        time.sleep(1.1)  # MariaDB: hints of the current second settle once it is over, and are looked at again
        loop.poll()
        runs = SyncRun.objects.count()
        loop.poll()
        loop.poll()
        assert SyncRun.objects.count() == runs  # nothing moved, nothing recorded

        new = ClientFactory(nom="Nouveau", updated_at=fac_now())
        time.sleep(1.1)  # MariaDB: a hint of the current second is synced once the second is over
        loop.poll()

    assert Client.objects.filter(pk=new["id"]).exists()
    run = SyncRun.objects.latest("id")
    assert run.trigger == SyncRun.Trigger.WATCH and "clients" in run.tables
    assert SyncState.objects.get(table="clients").last_run == run
    assert any(line.startswith("clients") and "1 inserted" in line for line in said), said
    assert Watcher.objects.get().state == Watcher.State.WATCHING  # its heartbeat


def test_watch_goes_alone():
    status, output = sync("--watch", "--force")
    assert status == 2 and "--watch goes alone" in output


def test_a_watcher_gone_silent_or_missing_is_a_warning(fac, settings, client):
    ClientFactory.create_batch(2)
    WatchLoop(list(BUILT_IN_NAMES), interval=0.1, full_every=3600, say=lambda line: None).poll()
    assert sync("--status")[0] == 0

    # Killed (kill -9, or its machine down): no clean stop, and no heartbeat for two minutes.
    Watcher.objects.update(beat_at=timezone.now() - timedelta(minutes=2))
    status, output = sync("--status")
    assert status == 1 and output.startswith("OPSYNC WARNING - the watcher on ")
    assert "has not been heard from since" in output and "Watcher: silent on" in output
    assert client.get("/healthz/sync").json()["watcher"] == {
        "alive": False,
        "state": "silent",
        "last_heartbeat": Watcher.objects.get().beat_at.isoformat(),
        "poll_interval_seconds": 0.1,
    }

    # Stopped cleanly: nothing to say, unless SYNC_WATCH says the sync is left to a watcher.
    Watcher.objects.update(stopped_at=timezone.now())
    assert sync("--status")[0] == 0
    settings.SYNC_WATCH = True
    status, output = sync("--status")
    assert status == 1 and "no watcher is running, and SYNC_WATCH=true leaves the sync to it" in output


def watcher_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("Watcher: "))


@mariadb
def test_a_watcher_killed_is_said_gone_at_once_here_and_within_its_heartbeat_and_ten_seconds_elsewhere(fac):
    """kill -9 of the watcher: its run stays « running » until the next run calls it abandoned, and a
    running run with a pid was taken for life (« active … last heartbeat 74 s ago », OPSYNC OK)."""
    rows = ClientFactory.create_batch(2)
    assert sync()[0] == 0
    child = start_child("--watch", **FAST)
    lock = None
    try:
        poll(lambda: "alive on" in watcher_line(sync("--status")[1]), "the watcher's first heartbeat")
        lock = RowLock("clients", rows[0]["id"])  # its next write of that row waits: a run under way
        fac.update("clients", rows[0]["id"], nom="Nouveau nom", updated_at=fac_now())
        poll(lambda: SyncRun.objects.filter(status=SyncRun.Status.RUNNING).exists(), "a run of the watcher's")
    finally:
        child.kill()
        child.communicate(timeout=60)
        if lock is not None:
            lock.release()
    killed = time.monotonic()
    assert SyncRun.objects.filter(status=SyncRun.Status.RUNNING).exists()  # left « running » by the kill

    status, output = sync("--status")  # on its machine: its process is gone, said at once
    assert status == 1 and "has not been heard from since" in output, output
    assert watcher_line(output).startswith("Watcher: silent on")

    Watcher.objects.update(host="another-machine")  # the dashboard on another machine: the heartbeat alone
    poll(lambda: "has not been heard from since" in sync("--status")[1], "the heartbeat's silence", seconds=25)
    assert time.monotonic() - killed <= Watcher.BEAT_EVERY.total_seconds() + 10 + 2  # + one probe's time


@mariadb
def test_a_watcher_in_a_long_run_beats_on_and_is_not_taken_for_dead(fac, monkeypatch):
    """A run that waits on a row the operations application holds beats all the same, from a thread of
    its own: the dashboard does not call a busy watcher dead."""
    from syncapp.running import watch

    monkeypatch.setattr(watch, "HEARTBEAT_EVERY", timedelta(seconds=0.3))
    rows = ClientFactory.create_batch(2)
    assert sync()[0] == 0
    fac.update("clients", rows[0]["id"], nom="Nouveau nom", updated_at=fac_now())
    lock = RowLock("clients", rows[0]["id"])  # the early sync's write of it waits
    loop = WatchLoop(["clients"], interval=0.1, full_every=3600, say=lambda line: None)
    beats = []

    def watch_the_beats():
        try:  # whatever happens here, the loop ends: a failure fails the test, never hangs it
            poll(lambda: Watcher.objects.exists(), "the watcher's record", seconds=10)
            for _ in range(10):
                time.sleep(0.3)
                beats.append(Watcher.objects.get().beat_at)
        finally:
            lock.release()
            with suppress(AssertionError):
                poll(lambda: Client.objects.get(pk=rows[0]["id"]).nom == "Nouveau nom", "the row, let go")
            loop.stop()

    observer = threading.Thread(target=watch_the_beats)
    observer.start()
    loop.run()
    observer.join()
    assert len(set(beats)) >= 5, beats  # it beat during the run blocked on the row
    assert Client.objects.get(pk=rows[0]["id"]).nom == "Nouveau nom"
