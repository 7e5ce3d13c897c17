"""One sync at a time, across every host whose cron shares the OPS database.

On MySQL the lock is `GET_LOCK` on a connection of its own: the server releases it
when that connection ends, so a run killed with `kill -9` leaves no lock behind. On
SQLite (one machine by nature) it is an `flock` on a file, which the kernel releases
the same way.
"""

import fcntl
import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import TextIO

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.common.aliases import OPS_ALIAS
from syncapp.sql import server


class SyncLock:
    """`purpose` names what it keeps to one at a time: the sync itself, or the dashboard's buttons."""

    def __init__(self, purpose: str = "sync"):
        settings_dict = connections[OPS_ALIAS].settings_dict
        self.vendor = connections[OPS_ALIAS].vendor
        database = str(settings_dict["NAME"])
        self.name = f"opsync.{purpose}.{database}"[:64]
        self.connection: BaseDatabaseWrapper | None = None  # MySQL: the one holding GET_LOCK
        self.file: TextIO | None = None  # SQLite: the one flock'ed
        digest = hashlib.sha1(database.encode(), usedforsecurity=False).hexdigest()[:16]
        # vendor "sqlite": Django's SQLite wrapper has is_in_memory_db, the stubs' base has not.
        if self.vendor == "sqlite" and connections[OPS_ALIAS].is_in_memory_db():  # type: ignore[attr-defined]
            digest += f"-{os.getpid()}"  # an in-memory database (tests) is this process's alone
        self.path = Path(tempfile.gettempdir()) / f"opsync-{purpose}-{digest}.lock"

    def acquire_within(self, seconds: float) -> bool:
        """Take the lock, waiting for it a little while (another click's request is quick)."""
        deadline = time.monotonic() + seconds
        while not self.acquire():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        if self.vendor == "mysql":
            self.connection = connections.create_connection(OPS_ALIAS)
            acquired = server.lock_get(self.connection, self.name)
            if not acquired:
                self.connection.close()
                self.connection = None
            return acquired
        self.file = self.path.open("a")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.close()
            self.file = None
            return False
        return True

    def release(self) -> None:
        if self.connection is not None:
            server.lock_release(self.connection, self.name)
            self.connection.close()
            self.connection = None
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None

    def is_held(self) -> bool:
        """Whether some process holds the lock now (for --status and the dashboard)."""
        if self.vendor == "mysql":
            return server.lock_is_used(connections[OPS_ALIAS], self.name)
        if not self.acquire():
            return True
        self.release()
        return False
