"""Sessions and processes of our own, for the tests that provoke faults: root sessions on the
server, an OPS row held locked by another session and the lock waits it causes, FAC and OPS
sessions seen from outside, `manage.py sync_from_facturation` in a child process, and a wait
for something to become true.
"""

import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import MySQLdb
from django.db import connections
from django.db.backends.mysql.base import DatabaseWrapper as MySQLWrapper

from syncapp.config.mapping import BUILT_IN_NAMES
from syncapp.demo.builder import connection_open
from syncapp.models import SyncState
from tests import backend
from tests.fac import FacWriter
from tests.factories import FACTORIES, ClientFactory, fac_now
from tests.mirror import ops_rows, subprocess_env, sync
from tests.statements import select_statement

ROOT = Path(__file__).resolve().parent.parent
# Quotes names as MySQL does, for our own sessions' statements; never opened.
OFFLINE = MySQLWrapper(connection_open(":memory:").settings_dict | {"ENGINE": "django.db.backends.mysql"}, alias="x")


# -- sessions of our own on the server ----------------------------------------------------


def root_session(database: str | None = None) -> MySQLdb.Connection:
    """A root session, as another application or an administrator would have (autocommit)."""
    return MySQLdb.connect(db=database or "", charset="utf8mb4", autocommit=True, **backend.MYSQL)


def ops_database() -> str:
    return str(connections["default"].settings_dict["NAME"])


def query(session: MySQLdb.Connection, sql: str, params=()) -> list[tuple]:
    with session.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


class RowLock:
    """Another OPS session holding mirror rows with SELECT ... FOR UPDATE in an open transaction.

    As a long report or a stuck client of the operations application would: the sync's write
    of such a row waits for it. release() is idempotent and may come from any thread.
    """

    def __init__(self, table: str, row_id: int):
        self.table = table
        self.session = root_session(ops_database())
        self.thread_id = self.session.thread_id()
        self.guard = threading.Lock()
        query(self.session, "START TRANSACTION")
        self.lock(row_id)

    def lock(self, row_id: int) -> None:
        with self.guard:
            rows = query(self.session, select_statement(OFFLINE, self.table, ["id"], "id = %s FOR UPDATE"), [row_id])
        assert rows, f"OPS {self.table} #{row_id} does not exist: nothing to lock"

    @property
    def held(self) -> bool:
        return self.session is not None

    def release(self) -> None:
        with self.guard:
            if self.session is not None:
                self.session.rollback()
                self.session.close()
                self.session = None


@dataclass(frozen=True)
class LockWait:
    thread_id: int  # the waiting session's connection id
    trx_id: str
    started: object  # when this wait began (a new wait, a new value: at least a lock timeout apart)
    rows_modified: int  # rows the waiting transaction has already written


def lock_waits(observer: MySQLdb.Connection, exclude: int | None = None) -> list[LockWait]:
    """Sessions on the OPS test database waiting for a row lock now."""
    rows = query(
        observer,
        "SELECT t.trx_mysql_thread_id, t.trx_id, t.trx_wait_started, t.trx_rows_modified "
        "FROM information_schema.innodb_trx t JOIN information_schema.processlist p "
        "ON p.id = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND p.db = %s",
        [ops_database()],
    )
    return [LockWait(*row) for row in rows if row[0] != exclude]


# InnoDB refreshes information_schema.innodb_trx only when nobody read it in the last 0.1 s:
# polled faster, it would show the same stale picture forever.
POLL_SECONDS = 0.2


def poll(probe, what: str, seconds: float = 30, explain=lambda: ""):
    """probe()'s first truthy value, tried every POLL_SECONDS; fails the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := probe():
            return value
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"timed out after {seconds}s waiting for {what} {explain()}")


def sessions(observer: MySQLdb.Connection) -> list[tuple]:
    """What every session on the test databases is doing (for a timeout's message)."""
    return query(
        observer,
        "SELECT p.id, p.user, p.db, p.command, p.state, LEFT(p.info, 60), t.trx_state, t.trx_rows_modified "
        "FROM information_schema.processlist p LEFT JOIN information_schema.innodb_trx t "
        "ON t.trx_mysql_thread_id = p.id WHERE p.db IN (%s, %s)",
        [ops_database(), backend.FAC_TEST_DATABASE],
    )


def wait_for_blocked_write(lock: RowLock, child: subprocess.Popen | None = None) -> LockWait:
    """The sync's upsert waiting on the locked row (the one waiting session besides ours)."""

    def probe():
        if child is not None and child.poll() is not None:
            out, err = child.communicate()
            raise AssertionError(f"the child ended ({child.returncode}) before blocking: {out}{err}")
        return lock_waits(observer, exclude=lock.thread_id)

    observer = root_session()
    try:
        waits = poll(probe, "the sync to wait on the locked row", explain=lambda: sessions(observer))
    finally:
        observer.close()
    assert len(waits) == 1, waits
    return waits[0]


def wait_for_session_end(thread_id: int) -> None:
    """A dead client's session lingers until the server notices; its transaction ends with it."""
    observer = root_session()
    try:
        poll(
            lambda: not query(observer, "SELECT 1 FROM information_schema.processlist WHERE id = %s", [thread_id]),
            f"session {thread_id} to end",
        )
    finally:
        observer.close()


# -- runs and records ---------------------------------------------------------------------


def start_child(*args: str, **env: str) -> subprocess.Popen:
    """`manage.py sync_from_facturation` in a process of its own, on the test databases."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "sync_from_facturation", *args],
        cwd=ROOT,
        env=subprocess_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_child(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "sync_from_facturation", *args],
        cwd=ROOT,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def end_child(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.kill()
    child.communicate(timeout=30)


def mirror_snapshot() -> dict[str, dict[int, tuple]]:
    return {name: ops_rows(name) for name in BUILT_IN_NAMES}


def cursors() -> dict[str, object]:
    return dict(SyncState.objects.values_list("table", "cursor"))


def synced_then_edited(fac: FacWriter, clients: int) -> list[int]:
    """`clients` clients and 3 rows in each other table, synced; then every client edited in
    FAC and 2 rows added to each other table, for the next run to apply. Client ids, sorted."""
    others = [factory for name, factory in FACTORIES.items() if name != "clients"]
    ids = sorted(row["id"] for row in ClientFactory.create_batch(clients))
    for factory in others:
        factory.create_batch(3)
    assert sync()[0] == 0
    fac.execute("UPDATE clients SET nom = CONCAT('v2 ', nom), updated_at = %s", [fac_now()])
    for factory in others:
        factory.create_batch(2)
    return ids
