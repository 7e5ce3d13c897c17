"""Fault tolerance on a real MariaDB: what a run does when the world around it breaks.

Each test provokes one fault with real processes and real sessions (no mock of any
database part) and then checks both databases and the run records: a killed run,
a FAC connection cut in the middle of a table, OPS rows locked by another session,
FAC that cannot be reached or has lost a table or a column, FAC changing under a run.

"Mid-table" is reached by making an OPS write wait: a root session holds one mirror
row with `SELECT ... FOR UPDATE`, so the sync's upsert batch that touches that row waits
for it, after the earlier batches of the same table were written in its (uncommitted)
table transaction. `information_schema.innodb_trx` shows the wait and how many rows the
waiting transaction has already written.
"""

import random
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import MySQLdb
import pytest
from django.db import connections
from django.utils import translation

from syncapp.config.mapping import BUILT_IN_NAMES
from syncapp.engine.lock import SyncLock
from syncapp.models import SyncRun, SyncTableResult
from syncapp.web.admin_runs import table_counts
from tests import backend
from tests.fac import FacWriter, create_mariadb_fac
from tests.factories import FACTORIES, ClientFactory, fac_now
from tests.mirror import differences, fac_rows, ops_rows, subprocess_env, sync
from tests.servers import PrivateServer
from tests.sessions import (
    POLL_SECONDS,
    ROOT,
    LockWait,
    RowLock,
    cursors,
    end_child,
    lock_waits,
    mirror_snapshot,
    poll,
    query,
    root_session,
    run_child,
    start_child,
    synced_then_edited,
    wait_for_blocked_write,
    wait_for_session_end,
)

SECRET = "s3cret-Fault-Password"
pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(databases=["default", "facturation"], transaction=True)]

# -- sessions of our own on the server (tests/sessions.py), and one that counts lock waits --


class LockWaitWatcher(threading.Thread):
    """Counts the sync's distinct lock waits on OPS while it runs: each retry is a new wait.

    With release_on_wait=N it releases the row lock as soon as the Nth wait begins, so that
    attempt goes through. Whatever happens it releases the lock after `seconds`: a sync that
    retried forever would then succeed, and fail the test, instead of hanging it.
    """

    def __init__(self, lock: RowLock, release_on_wait: int | None = None, seconds: float = 60):
        super().__init__(daemon=True)
        self.lock, self.release_on_wait, self.seconds = lock, release_on_wait, seconds
        self.waits: list[LockWait] = []
        self.done = threading.Event()

    def run(self) -> None:
        observer = root_session()
        deadline = time.monotonic() + self.seconds
        try:
            while not self.done.is_set() and time.monotonic() < deadline:
                for wait in lock_waits(observer, exclude=self.lock.thread_id):
                    if all((w.trx_id, w.started) != (wait.trx_id, wait.started) for w in self.waits):
                        self.waits.append(wait)
                if self.release_on_wait and len(self.waits) >= self.release_on_wait:
                    self.lock.release()
                    return
                time.sleep(POLL_SECONDS)
            if not self.done.is_set():
                self.lock.release()
        finally:
            observer.close()

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=10)


# -- runs and records (more in tests/sessions.py) ----------------------------------------


def results(run: SyncRun) -> dict[str, SyncTableResult]:
    return {result.table: result for result in run.results.all()}


def latest_run() -> SyncRun:
    return SyncRun.objects.latest("started_at")


def in_step(fac: FacWriter, table: str) -> bool:
    """FAC and the mirror hold the same rows in this table (no deletions involved)."""
    return fac_rows(fac, table) == ops_rows(table)


def one_of_each(count: int = 3) -> None:
    for factory in FACTORIES.values():
        factory.create_batch(count)


@pytest.fixture
def rebuilt_fac(fac):
    """For tests that alter FAC's schema: FAC is rebuilt from the DDL file afterwards."""
    yield fac
    connections["facturation"].close()
    create_mariadb_fac()


@pytest.fixture
def short_lock_waits(settings):
    """OPS lock waits of 1 s (the engine sets it on its session), small batches."""
    settings.SYNC_LOCK_WAIT_TIMEOUT = 1
    settings.SYNC_BATCH_SIZE = 5
    yield
    with connections["default"].cursor() as cursor:  # the in-process runs used this session
        cursor.execute("SET SESSION innodb_lock_wait_timeout = DEFAULT")


# -- 1. kill -9 in the middle of a table -------------------------------------------------


def test_a_run_killed_mid_table_leaves_nothing_of_that_table_and_is_abandoned(fac):
    """Batches already written die with the table's transaction; the next run repairs all."""
    ids = synced_then_edited(fac, clients=600)
    new_clients = ClientFactory.create_batch(100)
    before, cursors_before = mirror_snapshot(), cursors()
    lock = RowLock("clients", ids[300])  # batch 7 of 50 rows: six batches written before it
    child = start_child(SYNC_BATCH_SIZE="50")
    try:
        blocked = wait_for_blocked_write(lock, child)
        assert blocked.rows_modified >= 300, "earlier batches should be written, in the table's open transaction"
        killed = SyncRun.objects.get(status=SyncRun.Status.RUNNING)
        child.kill()  # SIGKILL: no chance to roll back or record anything
        child.wait(timeout=30)
    finally:
        lock.release()
        end_child(child)
    wait_for_session_end(blocked.thread_id)

    assert child.returncode == -9
    assert mirror_snapshot() == before, "rows of the killed run's table transaction survived it"
    assert cursors() == cursors_before
    assert not killed.results.exists()
    poll(lambda: not SyncLock().is_held(), "the killed run's lock to be released")

    status, output = sync()

    assert status == 0, output
    assert differences(fac) == []
    killed.refresh_from_db()
    assert killed.status == SyncRun.Status.ABANDONED and killed.finished_at is not None
    clients = results(latest_run())["clients"]
    assert (clients.updated, clients.inserted) == (600, len(new_clients))


# -- 2. the FAC connection cut in the middle of a table -----------------------------------


def fac_sessions(admin: MySQLdb.Connection, command: str | None = None) -> list[int]:
    """Ids of the reader's sessions on FAC (only those running `command`, if given)."""
    sql = "SELECT id FROM information_schema.processlist WHERE user = %s"
    params = [backend.READER_USER]
    if command:
        sql, params = f"{sql} AND command = %s", [*params, command]
    return [row_id for (row_id,) in query(admin, sql, params)]


def test_a_fac_connection_cut_mid_table_fails_that_table_and_the_others_apply(fac):
    """An administrator kills the reader's session while FAC is still sending a table's rows:
    that table fails with the server's words and keeps nothing; the next tables reconnect."""
    ids = synced_then_edited(fac, clients=600)
    # 36 MB to send: more than the socket buffers hold, so FAC is mid-send when the cut comes.
    fac.execute("UPDATE clients SET notes = REPEAT('x', 60000)")
    before = mirror_snapshot()
    lock = RowLock("clients", ids[100])
    child = start_child(SYNC_BATCH_SIZE="50")
    admin = root_session()
    try:
        wait_for_blocked_write(lock, child)
        sending = fac_sessions(admin, command="Query")
        assert len(sending) == 1, "FAC should be sending the clients rows when cut"
        query(admin, f"KILL CONNECTION {int(sending[0])}")
        lock.release()
        out, err = child.communicate(timeout=120)
    finally:
        admin.close()
        lock.release()
        end_child(child)

    assert child.returncode == 1, out + err
    assert "Traceback" not in out + err
    run = latest_run()
    outcome = results(run)
    clients = outcome["clients"]
    assert clients.status == SyncTableResult.Status.FAILED
    assert clients.error.startswith("database error: ") and "\n" not in clients.error
    assert any(words in clients.error.lower() for words in ("lost connection", "gone away")), clients.error
    assert f"clients: {clients.error}" in err
    assert (clients.updated, clients.inserted) == (0, 0)
    assert ops_rows("clients") == before["clients"], "part of the cut table was applied"
    for name in BUILT_IN_NAMES[1:]:
        assert outcome[name].status == SyncTableResult.Status.SUCCESS, f"{name}: {outcome[name].error}"
        assert outcome[name].inserted == 2 and in_step(fac, name)
    assert run.status == SyncRun.Status.PARTIAL

    status, output = sync()

    assert status == 0, output
    assert differences(fac) == []


def test_a_fac_connection_lost_between_tables_does_not_fail_the_next_one(fac):
    """FAC restarted, or a session killed, while the run records a table: the next table
    should open a new connection rather than fail on the dead one."""
    ids = synced_then_edited(fac, clients=20)
    connections["facturation"].close()  # our own reader session must not be among those killed
    rows = RowLock("clients", ids[10])  # holds the child inside clients
    child = start_child(SYNC_BATCH_SIZE="5")
    admin = root_session()
    record = None
    try:
        wait_for_blocked_write(rows, child)
        run = SyncRun.objects.get(status=SyncRun.Status.RUNNING)
        # Recording clients' result inserts a row referencing the run: it waits for this lock,
        # after clients has committed and before transitaires has begun.
        record = RowLock("syncapp_syncrun", run.pk)
        rows.release()
        wait_for_blocked_write(record, child)
        readers = fac_sessions(admin)
        assert readers and not fac_sessions(admin, command="Query"), "no FAC query should be running"
        for session_id in readers:
            query(admin, f"KILL CONNECTION {int(session_id)}")
        record.release()
        out, err = child.communicate(timeout=120)
    finally:
        admin.close()
        rows.release()
        if record is not None:
            record.release()
        end_child(child)

    assert child.returncode == 0, out + err
    assert {r.table: r.status for r in run.results.all()} == dict.fromkeys(BUILT_IN_NAMES, "success")
    assert differences(fac) == []


# -- 3. OPS lock wait timeouts and deadlocks: bounded retries ----------------------------


def test_a_row_locked_for_the_whole_run_fails_its_table_after_bounded_retries(fac, short_lock_waits):
    """Three attempts of the table's transaction, each waiting 1 s, then one clean failure."""
    ids = synced_then_edited(fac, clients=20)
    before = mirror_snapshot()
    lock = RowLock("clients", ids[12])  # the third batch of 5: ten rows written before it
    watcher = LockWaitWatcher(lock)
    watcher.start()
    try:
        started = time.monotonic()
        status, output = sync()
        elapsed = time.monotonic() - started
        watcher.stop()
        assert lock.held, "the lock was released by the safety timer: the retries never ended"
        mirror_during_lock = mirror_snapshot()
    finally:
        watcher.stop()
        lock.release()

    assert status == 1, output
    run = latest_run()
    clients = results(run)["clients"]
    assert clients.status == SyncTableResult.Status.FAILED
    # What happened and what to do, in the reader's words: not MySQL's English "Lock wait timeout exceeded".
    assert "kept rows of this table locked" in clients.error and ", 3 attempts:" in clients.error, clients.error
    assert "SHOW PROCESSLIST" in clients.error and "Lock wait timeout exceeded" not in clients.error
    with translation.override("fr"):
        french = clients.problem_text
    assert "verrouillées" in french and "3 essais" in french and "exceeded" not in french, french
    assert len(watcher.waits) == 3, watcher.waits
    assert all(wait.rows_modified >= 10 for wait in watcher.waits), "each attempt should be mid-table"
    assert 3 <= elapsed < 10, "three waits of SYNC_LOCK_WAIT_TIMEOUT=1 s (not the default 20 s)"
    assert (clients.updated, clients.unchanged, clients.errors) == (0, 0, 1)
    assert mirror_during_lock["clients"] == before["clients"], "an attempt left part of the table applied"
    for name in BUILT_IN_NAMES[1:]:
        assert results(run)[name].status == SyncTableResult.Status.SUCCESS
        assert in_step(fac, name)
    assert run.status == SyncRun.Status.PARTIAL

    status, output = sync()

    assert status == 0, output
    assert differences(fac) == []


def test_a_lock_released_after_the_first_timeout_lets_the_retry_succeed(fac, short_lock_waits, settings):
    """The first attempt times out; the lock goes while the second waits; it applies, counted once."""
    ids = synced_then_edited(fac, clients=20)
    lock = RowLock("clients", ids[12])
    watcher = LockWaitWatcher(lock, release_on_wait=2, seconds=30)
    watcher.start()
    try:
        status, output = sync()
    finally:
        watcher.stop()
        lock.release()

    assert status == 0, output
    assert len(watcher.waits) == 2, watcher.waits  # a first wait that timed out, a second one released
    assert differences(fac) == []
    run = latest_run()
    assert run.status == SyncRun.Status.SUCCESS
    clients = results(run)["clients"]
    assert clients.status == SyncTableResult.Status.SUCCESS
    # The failed attempt's work was rolled back: it must not be counted too.
    assert (clients.updated, clients.unchanged, clients.errors) == (20, 0, 0)
    assert len(clients.changes) == 20
    # And the retry is seen: in the record (its time included), the log and the run's page.
    assert (clients.attempts, clients.retry_reason["code"]) == (2, "lock_wait_retried")
    assert clients.retry_seconds >= 1 and clients.duration_seconds > clients.retry_seconds
    log = settings.SYNC_LOG_FILE.read_text(encoding="utf-8")
    assert f"run #{run.pk} clients success" in log and "tries=2 (an OPS lock wait timed out; " in log
    assert "2 essais (une attente de verrou dans OPS a expiré), " in table_counts(clients)  # in French


def test_a_deadlock_on_write_is_retried(fac, settings):
    """InnoDB rolls the sync's transaction back as a deadlock victim (1213); the retry applies."""
    settings.SYNC_BATCH_SIZE = 5
    settings.SYNC_LOCK_WAIT_TIMEOUT = 30  # so that a quick end can only be the deadlock's
    ids = synced_then_edited(fac, clients=20)
    lock = RowLock("clients", ids[7])  # in the second batch: the first five rows written before it
    # Ballast: InnoDB rolls back the transaction that did less; ours did more than the sync.
    query(lock.session, "CREATE TEMPORARY TABLE ballast (n INT PRIMARY KEY) ENGINE=InnoDB")
    query(lock.session, "INSERT INTO ballast SELECT seq FROM seq_1_to_2000")
    closing: dict[str, object] = {}

    def close_the_cycle():
        try:
            wait_for_blocked_write(lock)
            lock.lock(ids[2])  # a row the sync has written: each now waits for the other
            closing["won"] = True
        except Exception as exc:
            closing["error"] = exc
        finally:
            lock.release()

    helper = threading.Thread(target=close_the_cycle, daemon=True)
    helper.start()
    try:
        started = time.monotonic()
        status, output = sync()
        elapsed = time.monotonic() - started
    finally:
        helper.join(timeout=60)
        lock.release()

    assert closing == {"won": True}, f"the sync should have been the deadlock victim: {closing}"
    assert elapsed < 15, "the wait should have ended by deadlock detection, not by a lock wait timeout"
    assert status == 0, output
    assert differences(fac) == []
    clients = results(latest_run())["clients"]
    assert (clients.status, clients.updated) == (SyncTableResult.Status.SUCCESS, 20)
    assert (clients.attempts, clients.retry_reason["code"]) == (2, "deadlock_retried")


# -- 4. FAC unreachable, or missing a table or a column: one clear line ------------------


def closed_port() -> int:
    """A local port nobody listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("where", "says"),
    [
        (lambda: {"FAC_DB_PORT": str(closed_port())}, "Can't connect"),
        (lambda: {"FAC_DB_HOST": "fac-server.invalid"}, "Unknown server host"),
    ],
    ids=["closed-port", "unknown-host"],
)
def test_an_unreachable_fac_gives_one_line_a_failed_run_and_loses_nothing(fac, where, says):
    one_of_each()
    assert sync()[0] == 0
    one_of_each()  # changes the run cannot read
    before, cursors_before = mirror_snapshot(), cursors()

    result = run_child(FAC_DB_PASSWORD=SECRET, **where())

    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "Traceback" not in output and SECRET not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "FAC unreachable" in lines[0] and says in lines[0] and "FAC_DB_HOST, FAC_DB_PORT" in lines[0]
    run = latest_run()
    assert run.status == SyncRun.Status.FAILED and "FAC unreachable" in run.error
    assert mirror_snapshot() == before and cursors() == cursors_before


def test_an_unreachable_fac_run_records_a_failed_result_per_table(fac):
    one_of_each()
    assert sync()[0] == 0

    result = run_child(FAC_DB_PORT=str(closed_port()))

    assert result.returncode == 1
    run = latest_run()
    assert run.status == SyncRun.Status.FAILED
    assert {r.table: r.status for r in run.results.all()} == dict.fromkeys(BUILT_IN_NAMES, "failed")


@pytest.mark.parametrize(
    ("change", "table", "problem"),
    [
        ("DROP TABLE services", "services", "FAC has no table 'services'"),
        ("ALTER TABLE clients DROP COLUMN ville", "clients", "schema drift: FAC table 'clients' has no column 'ville'"),
    ],
    ids=["missing-table", "missing-column"],
)
def test_a_fac_table_or_column_gone_gives_one_line_and_keeps_that_mirror(rebuilt_fac, change, table, problem):
    fac = rebuilt_fac
    one_of_each()
    assert sync()[0] == 0
    for row_id, nom in fac.select(table, ["id", "nom"]):
        fac.update(table, row_id, nom=f"{nom} (modifié)", updated_at=fac_now())
    one_of_each()  # new rows everywhere, for the tables that still can sync
    before, cursors_before = mirror_snapshot(), cursors()
    fac.execute(change)

    result = run_child()

    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert f"{table}: {problem}" in errors[0]
    run = latest_run()
    assert run.status == SyncRun.Status.PARTIAL
    outcome = results(run)
    assert outcome[table].status == SyncTableResult.Status.FAILED and outcome[table].error == problem
    assert ops_rows(table) == before[table], "the mirror of a table FAC lost must stay as it was"
    assert cursors()[table] == cursors_before[table]
    for name in BUILT_IN_NAMES:
        if name != table:
            assert outcome[name].status == SyncTableResult.Status.SUCCESS and outcome[name].inserted == 3
            assert in_step(fac, name)


# -- 5. FAC changing while runs are in progress ------------------------------------------


class FacChurn(threading.Thread):
    """The billing application at work, on its own connection: inserts (some without updated_at,
    as by hand), edits (some committed late), soft deletes, restores and hard deletes, until
    `operations` are done, `seconds` have passed or stop() is called."""

    KINDS = ("insert", "insert_by_hand", "edit", "late_edit", "soft_delete", "restore", "hard_delete")

    def __init__(self, operations: int = 300, seconds: float = 10, seed: int = 20260301):
        super().__init__(daemon=True)
        self.operations, self.seconds = operations, seconds
        self.random = random.Random(seed)
        self.done: dict[str, int] = dict.fromkeys(self.KINDS, 0)
        self.error: BaseException | None = None
        self.stopped = threading.Event()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)

    def run(self) -> None:
        writer = FacWriter()  # a Django connection belongs to the thread that creates it
        deadline = time.monotonic() + self.seconds
        try:
            while (
                sum(self.done.values()) < self.operations and time.monotonic() < deadline and not self.stopped.is_set()
            ):
                table, kind = self.random.choice(BUILT_IN_NAMES), self.random.choice(self.KINDS)
                if self.apply(writer, table, kind):
                    self.done[kind] += 1
                time.sleep(self.random.uniform(0, 0.02))
        except BaseException as exc:
            self.error = exc
        finally:
            writer.close()

    def apply(self, writer: FacWriter, table: str, kind: str) -> bool:
        now = fac_now()
        if kind.startswith("insert"):
            row = dict(FACTORIES[table].build())
            if kind == "insert_by_hand":
                row["updated_at"] = None
            writer.insert(table, row)
            return True
        live = "deleted_at IS NOT NULL" if kind == "restore" else "deleted_at IS NULL"
        ids = [row_id for (row_id,) in writer.select(table, ["id"], live)]
        if not ids:
            return False
        row_id = self.random.choice(ids)
        if kind == "edit":
            writer.update(table, row_id, nom=f"édité {self.random.randrange(10**6)}", updated_at=now)
        elif kind == "late_edit":  # Laravel stamps a row when saved: this transaction began 2 s ago
            writer.execute("START TRANSACTION")
            stamp = now - timedelta(seconds=2)
            writer.update(table, row_id, nom=f"tardif {self.random.randrange(10**6)}", updated_at=stamp)
            writer.execute("COMMIT")
        elif kind == "soft_delete":
            writer.update(table, row_id, deleted_at=now, updated_at=now)
        elif kind == "restore":
            writer.update(table, row_id, deleted_at=None, updated_at=now)
        else:
            writer.hard_delete(table, row_id)
        return True


def test_fac_changing_during_runs_converges_on_the_next_run(fac, settings):
    """Runs overlap the writes (small batches: each table read in many steps); none fails, and
    one run after the writes stop leaves the mirror equal to FAC."""
    settings.SYNC_MAX_DELETE_RATIO = 1.0  # the churn deletes a lot; the guard is tested elsewhere
    settings.SYNC_BATCH_SIZE = 7
    one_of_each(count=30)
    assert sync()[0] == 0
    churn = FacChurn()
    churn.start()
    statuses = []
    try:
        deadline = time.monotonic() + 60
        while churn.is_alive() and time.monotonic() < deadline:
            statuses.append(sync())
    finally:
        churn.stop()
    assert not churn.is_alive() and churn.error is None, churn.error
    assert all(done for done in churn.done.values()), churn.done
    assert len(statuses) >= 3, "the runs should overlap the writes"
    assert [output for status, output in statuses if status != 0] == []

    status, output = sync()

    assert status == 0, output
    assert differences(fac) == []
    assert latest_run().status == SyncRun.Status.SUCCESS
    assert not SyncRun.objects.exclude(status=SyncRun.Status.SUCCESS).exists()


# -- 7. OPS out of space: the disk is named, not the connection settings ------------------


def manage_child(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=subprocess_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def ops_that_fills(fac, folder):
    """OPS on a server of its own whose tablespace cannot grow (24 MB, as a full disk), migrated
    and synced; then 6 000 FAC clients of 5 000 characters each (30 MB) that it cannot hold."""
    with PrivateServer(folder, "--innodb-data-file-path=ibdata1:24M", "--innodb-file-per-table=0") as ops:
        ops.connect().cursor().execute("CREATE DATABASE opsync_full")
        env = ops.env("opsync_full") | {"SYNC_LOCK_WAIT_TIMEOUT": "60", "LANGUAGE_CODE": "fr"}
        migrated = manage_child("migrate", "--no-input", **env)
        assert migrated.wait(timeout=120) == 0, migrated.communicate()
        one_of_each()
        first = manage_child("sync_from_facturation", **env)
        assert first.wait(timeout=120) == 0, first.communicate()
        fac.execute(
            "INSERT INTO clients (nom, pays, type, solde, limite_credit, notes, created_at, updated_at) "
            "SELECT CONCAT('Client ', seq), 'Gabon', 'Entreprise', 0, 0, REPEAT('n', 5000), %s, %s "
            "FROM seq_1_to_6000",
            [fac_now(), fac_now()],
        )
        yield ops, env


def test_ops_out_of_space_fails_the_table_saying_so(fac, tmp_path):
    """Error 1114 (« The table 'clients' is full ») in the reader's words, with what to do; the
    other tables apply."""
    with ops_that_fills(fac, tmp_path) as (ops, env):
        one_of_each(1)
        run = manage_child("sync_from_facturation", **env)
        out, err = run.communicate(timeout=120)
        others = query(ops.connect("opsync_full"), "SELECT COUNT(*) FROM transitaires")[0][0]

    assert run.returncode == 1, out + err
    assert "Traceback" not in out + err
    said = (out + err).replace("\N{NO-BREAK SPACE}", " ")
    assert "clients : erreur de base de données : OPS ne peut plus rien stocker : le disque" in said, said
    assert "is full" not in out + err
    assert others == 4  # transitaires: 3, then 1 more, applied after clients failed


def test_ops_out_of_space_then_gone_is_said_as_the_disk(fac, tmp_path):
    """Clients' rows do not fit; while the run waits on a row of transitaires that the
    application holds, the server dies (kill -9, as InnoDB stops on a full disk). Before: « OPS
    unreachable (…); check DB_HOST, DB_PORT… ». The disk is the cause."""
    with ops_that_fills(fac, tmp_path) as (ops, env):
        transitaire = fac.fetchall("SELECT MIN(id) FROM transitaires")[0][0]
        fac.execute("UPDATE transitaires SET nom = 'Changé', updated_at = %s WHERE id = %s", [fac_now(), transitaire])
        application = ops.connect("opsync_full")
        application.cursor().execute("BEGIN")
        application.cursor().execute("SELECT id FROM transitaires WHERE id = %s FOR UPDATE", [transitaire])

        run = manage_child("sync_from_facturation", **env)
        try:
            observer = ops.connect()
            waiting = (
                "SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT' "
                "AND trx_mysql_thread_id <> %s"
            )
            poll(
                lambda: ops.logged("is full") and query(observer, waiting, [application.thread_id()])[0][0] == 1,
                "clients refused for space, then the run waiting on the application's row",
                90,
            )
            ops.kill()
            out, err = run.communicate(timeout=90)
        finally:
            end_child(run)

    output = out + err
    assert run.returncode == 1, output
    assert "Traceback" not in output and "Exception ignored" not in output, output
    # One line (the run's record could not be written): the disk, in French, not the settings.
    assert len(output.strip().splitlines()) == 1, output
    assert "plus rien pouvoir stocker" in output and "disque" in output, output
    assert "vérifiez DB_HOST" not in output, output
