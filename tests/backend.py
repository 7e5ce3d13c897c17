"""Which database server the test suite runs on, decided once per pytest process.

`OPSYNC_TEST_DB=mariadb|sqlite` chooses; unset, MariaDB is used when it answers at
OPSYNC_TEST_MYSQL_HOST:PORT (127.0.0.1:3306 as root), SQLite otherwise. Under CI=true
MariaDB is always chosen, so a missing server fails the suite instead of skipping it.
"""

import os
from typing import TypedDict

import MySQLdb


class Server(TypedDict):
    """How to reach a MySQL server: MySQLdb.connect's arguments."""

    host: str
    port: int
    user: str
    password: str


MYSQL: Server = {
    "host": os.environ.get("OPSYNC_TEST_MYSQL_HOST", "127.0.0.1"),
    "port": int(os.environ.get("OPSYNC_TEST_MYSQL_PORT", "3306")),
    "user": os.environ.get("OPSYNC_TEST_MYSQL_USER", "root"),
    "password": os.environ.get("OPSYNC_TEST_MYSQL_PASSWORD", ""),
}
# A prefix lets two suites share one server without touching each other's data.
PREFIX = os.environ.get("OPSYNC_TEST_PREFIX", "opsync")
OPS_TEST_DATABASE = f"test_{PREFIX}_ops"
FAC_TEST_DATABASE = f"test_{PREFIX}_fac"
READER_USER = f"{PREFIX}_test_reader"[:32]
READER_PASSWORD = "reader-test-password"


def mariadb_unreachable_reason() -> str | None:
    try:
        MySQLdb.connect(connect_timeout=2, **MYSQL).close()
    except MySQLdb.Error as exc:
        return f"MariaDB not reachable at {MYSQL['host']}:{MYSQL['port']} ({exc.args[-1]})"
    return None


def choose() -> tuple[str, str | None]:
    """(backend, why MariaDB is not used)."""
    wanted = os.environ.get("OPSYNC_TEST_DB", "").lower()
    if wanted in ("mariadb", "mysql"):
        return "mariadb", None
    if wanted == "sqlite":
        return "sqlite", "OPSYNC_TEST_DB=sqlite"
    if os.environ.get("CI", "").lower() == "true":
        return "mariadb", None
    reason = mariadb_unreachable_reason()
    return ("sqlite", reason) if reason else ("mariadb", None)


BACKEND, SQLITE_REASON = choose()


if __name__ == "__main__":
    print(BACKEND)
