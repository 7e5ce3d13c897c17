"""A MariaDB server of a test's own: started on a private port from a new data folder, killed by pid.

For faults the shared server must not suffer (a disk that fills, a server that dies). Debian's
`mariadbd` and `mariadb-install-db`, as on the machine; root with an empty password over TCP.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import MySQLdb

from tests.relay import free_port

MARIADBD = "/usr/sbin/mariadbd"


class PrivateServer:
    """`with PrivateServer(folder, "--innodb-data-file-path=ibdata1:24M") as server:` …"""

    def __init__(self, folder: Path, *options: str):
        self.folder, self.port = folder, free_port()
        self.options = [
            "--no-defaults",
            f"--datadir={folder / 'data'}",
            "--user=root",
            # Its own temporary folder: a server starting up removes the temporary tables it finds
            # in its tmpdir, and the shared server's are in /tmp.
            f"--tmpdir={folder / 'tmp'}",
            "--innodb-buffer-pool-size=32M",  # small, unless the options say otherwise (the last wins)
            *options,
        ]
        self.error_log = folder / "error.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "PrivateServer":
        (self.folder / "tmp").mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["mariadb-install-db", *self.options, "--auth-root-authentication-method=normal", "--skip-test-db"],
            check=True,
            capture_output=True,
        )
        return self.start()

    def start(self, *options: str) -> "PrivateServer":
        """The server on its data folder, with these options besides its own (a restart may add some)."""
        self.process = subprocess.Popen(
            [
                MARIADBD,
                *self.options,
                *options,
                "--bind-address=127.0.0.1",
                f"--port={self.port}",
                f"--socket={self.folder / 'socket'}",
                f"--pid-file={self.folder / 'pid'}",
                f"--log-error={self.error_log}",
                "--skip-log-bin",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.connect().close()
                return self
            except MySQLdb.Error:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the private server did not start: {self.error_log.read_text()}") from None
                time.sleep(0.2)

    def __exit__(self, *exc_info: object) -> None:
        self.kill()

    def connect(self, database: str | None = None) -> MySQLdb.Connection:
        extra = {"database": database} if database else {}
        return MySQLdb.connect(host="127.0.0.1", port=self.port, user="root", password="", autocommit=True, **extra)

    def env(self, database: str) -> dict[str, str]:
        """A manage.py child's OPS settings on this server."""
        return {
            "DB_CONNECTION": "mysql",
            "DB_HOST": "127.0.0.1",
            "DB_PORT": str(self.port),
            "DB_DATABASE": database,
            "DB_USERNAME": "root",
            "DB_PASSWORD": "",
        }

    def logged(self, text: str) -> bool:
        return self.error_log.exists() and text in self.error_log.read_text(errors="replace")

    def kill(self) -> None:
        """kill -9: the server dies as on a fatal error, without closing its connections."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
