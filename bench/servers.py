"""The benchmark's servers and child processes: MariaDB as root, FAC and its reader, the limit and
the Laravel algorithm, and `manage.py` run as cron runs it. What every measure (bench/measure.py)
stands on; it imports nothing else of the benchmark's but its SQL (bench/queries.py).
"""

import os
import re
import secrets
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import MySQLdb

from bench import queries
from bench.queries import ADOPT_DB, FAC_DB, LIMIT_DB, OPS_DB

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"


class Server(TypedDict):
    """How to reach a MySQL server: MySQLdb.connect's arguments."""

    host: str
    port: int
    user: str
    password: str


MYSQL: Server = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
READER = "bench_reader"
FAC_SCHEMA = ROOT / "sql" / "facturation_schema.sql"
READER_SCRIPT = ROOT / "sql" / "create_ops_reader.sql"
MIB = 1024  # ru_maxrss is in KiB on Linux
TIMES, NONE = "\N{MULTIPLICATION SIGN}", "\N{EN DASH}"


class BenchError(Exception):
    """The benchmark cannot go on; the message says why."""


# -- MariaDB ----------------------------------------------------------------------------


def connect() -> MySQLdb.Connection:
    """A root connection, in UTC like opsync's sessions."""
    return MySQLdb.connect(**MYSQL, charset="utf8mb4", autocommit=True, init_command="SET time_zone = '+00:00'")


def execute(connection: MySQLdb.Connection, sql: str, params: Sequence | None = None) -> list[tuple]:
    """Run one statement; without params `%` is left alone (the fill SQL uses it for modulo)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def mysql_cli(sql: str) -> None:
    """Run SQL through the `mysql` client, as an administrator would (SOURCE needs it)."""
    command = ["mysql", "-h", MYSQL["host"], "-P", str(MYSQL["port"]), "-u", MYSQL["user"], "-e", sql]
    env = {**os.environ, "MYSQL_PWD": MYSQL["password"]}
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BenchError(f"mysql client failed: {done.stderr.strip()}")


@contextmanager
def timed() -> Iterator[list[float]]:
    """`with timed() as elapsed:` … then `elapsed[0]` holds the wall time in seconds."""
    elapsed: list[float] = []
    started = time.monotonic()
    yield elapsed
    elapsed.append(time.monotonic() - started)


def recreate_databases(root: MySQLdb.Connection) -> None:
    for name in (FAC_DB, OPS_DB, LIMIT_DB):
        execute(root, f"DROP DATABASE IF EXISTS `{name}`")
        execute(root, f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")


def create_fac(root: MySQLdb.Connection, reader_password: str) -> None:
    """FAC's tables from the DDL the tests use, and the SELECT-only user from the production script."""
    text = "\n".join(line for line in FAC_SCHEMA.read_text().splitlines() if not line.startswith("--"))
    execute(root, f"USE `{FAC_DB}`")
    for statement in filter(None, (s.strip() for s in text.split(";"))):
        execute(root, statement)
    execute(root, queries.DECLARED_DDL)  # the sixth table, declared in the mapping file
    mysql_cli(f"SET @fac_db='{FAC_DB}', @reader='{READER}', @password='{reader_password}'; SOURCE {READER_SCRIPT};")


def fill_fac(root: MySQLdb.Connection, rows: int) -> None:
    """N rows per table, set-based, from MariaDB's SEQUENCE engine."""
    for table in queries.FAC_ROWS:
        execute(root, queries.fill(table, rows))
        execute(root, f"ANALYZE TABLE `{FAC_DB}`.`{table}`")


def table_mib(root: MySQLdb.Connection, database: str, table: str) -> float:
    sql = "SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = %s AND table_name = %s"
    return int(execute(root, sql, [database, table])[0][0]) / MIB / MIB


def change_one_percent(root: MySQLdb.Connection) -> int:
    """As the billing application would: 1 % of each table edited, updated_at = NOW()."""
    changed = 0
    for table in queries.FAC_ROWS:
        with root.cursor() as cursor:
            changed += cursor.execute(queries.change_one_percent(table))
    return changed


def drop_everything(root: MySQLdb.Connection) -> None:
    for name in (FAC_DB, OPS_DB, LIMIT_DB, ADOPT_DB):
        execute(root, f"DROP DATABASE IF EXISTS `{name}`")
    execute(root, f"DROP USER IF EXISTS '{READER}'@'%'")


# -- The limit and the Laravel algorithm ---------------------------------------------------


def mirrored_columns() -> dict[str, tuple[str, ...]]:
    """OPS table → its mirrored columns, from the one declaration in syncapp/config/mapping.py."""
    from syncapp.config.mapping import table_names, tables_resolve

    return {mapping.ops_table: mapping.columns for mapping in tables_resolve(table_names())[0]}


def create_limit_tables(root: MySQLdb.Connection) -> None:
    for table in mirrored_columns():
        execute(root, f"DROP TABLE IF EXISTS `{LIMIT_DB}`.`{table}`")
        execute(root, f"CREATE TABLE `{LIMIT_DB}`.`{table}` LIKE `{OPS_DB}`.`{table}`")


def copy_at_the_limit(root: MySQLdb.Connection) -> float:
    """The server copying FAC into the OPS-shaped tables, all six, in one pass (seconds)."""
    with timed() as elapsed:
        for table, columns in mirrored_columns().items():
            execute(root, queries.copy_at_the_limit(table, columns))
    return elapsed[0]


def laravel_rate(root: MySQLdb.Connection, sample: int) -> float:
    """Rows per second of the Laravel command's algorithm: per row, SELECT, then UPDATE or INSERT."""
    columns = mirrored_columns()["clients"]
    execute(root, f"CREATE TABLE `{LIMIT_DB}`.{queries.LARAVEL_TABLE} LIKE `{OPS_DB}`.clients")
    rows = execute(root, queries.laravel_sample(columns, sample))
    exists, insert, update = queries.laravel_exists(), queries.laravel_insert(columns), queries.laravel_update(columns)
    with timed() as elapsed, root.cursor() as cursor:
        for row in rows:
            cursor.execute(exists, [row[0]])
            if cursor.fetchone():
                cursor.execute(update, [*row[1:], row[0]])
            else:
                cursor.execute(insert, row)
    return len(rows) / elapsed[0]


# -- opsync in child processes --------------------------------------------------------------


@dataclass
class ChildRun:
    wall: float  # seconds
    rss_mib: float  # the child's peak resident set size
    returncode: int
    output: str

    @property
    def summary(self) -> str:
        """The command's last line ("Run #3 success in 2.10s: …")."""
        lines = [line for line in self.output.splitlines() if line.strip()]
        return lines[-1] if lines else "(no output)"


def opsync_environment(reader_password: str, log_file: Path, mapping_file: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "opsync.settings",
        "OPSYNC_ENV_FILE": "/nonexistent",
        # As in production: with DEBUG, Django would also keep a log of every query.
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "localhost",
        "DB_CONNECTION": "mysql",
        "DB_HOST": MYSQL["host"],
        "DB_DATABASE": OPS_DB,
        "DB_USERNAME": "root",
        "DB_PASSWORD": "",
        "FAC_DB_CONNECTION": "mysql",
        "FAC_DB_HOST": MYSQL["host"],
        "FAC_DB_DATABASE": FAC_DB,
        "FAC_DB_USERNAME": READER,
        "FAC_DB_PASSWORD": reader_password,
        "SYNC_LOG_FILE": str(log_file),
        "SYNC_MAX_DELETE_RATIO": "1",
        "SYNC_MAPPING_FILE": str(mapping_file),
    }


def run_manage(arguments: list[str], env: dict[str, str], cwd: Path = ROOT) -> ChildRun:
    """`manage.py …` in a child process (of this tree, or of the one in cwd): its wall time and, from
    wait4, its peak RSS."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603
            [str(PYTHON), "manage.py", *arguments], cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        output.seek(0)
        return ChildRun(wall, usage.ru_maxrss / MIB, process.returncode, output.read())


def opsync(arguments: list[str], env: dict[str, str], label: str, cwd: Path = ROOT) -> ChildRun:
    """A run that must succeed; prints one progress line."""
    run = run_manage(arguments, env, cwd)
    if run.returncode != 0 or "Skipped" in run.output:
        raise BenchError(f"{label}: `manage.py {' '.join(arguments)}` exited {run.returncode}:\n{run.output[-3000:]}")
    print(f"  {label}: {run.wall:.2f} s, peak RSS {run.rss_mib:.0f} MiB — {run.summary}", flush=True)
    return run


def check_mirror_complete(root: MySQLdb.Connection) -> None:
    """After a full sync, OPS holds as many rows as FAC in every table."""
    for table in mirrored_columns():
        fac, ops = (execute(root, queries.row_count(db, table))[0][0] for db in (FAC_DB, OPS_DB))
        if fac != ops:
            raise BenchError(f"after the full sync, {table} has {ops} rows in OPS but {fac} in FAC")


# -- What the server and the processes say of themselves ------------------------------


def settle(root: MySQLdb.Connection, seconds: float = 120) -> None:
    """Wait (a while at most) for InnoDB to write back the pages the last runs left dirty."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        dirty = int(execute(root, queries.dirty_pages())[0][1])
        if dirty < 100:
            return
        time.sleep(1)


def process_rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"^VmRSS:\s*(\d+) kB", status, re.MULTILINE)
    if found is None:
        raise BenchError(f"process {pid}: no VmRSS in /proc/{pid}/status")
    return int(found.group(1)) / MIB


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def reader_counters(root: MySQLdb.Connection) -> tuple[int, int, int]:
    """(rows read, SELECTs, other statements) of the FAC reader so far, by MariaDB's per-user statistics:
    the reader's own, whatever else the server is doing."""
    execute(root, "SET GLOBAL userstat = 1")
    found = execute(
        root,
        "SELECT ROWS_READ, SELECT_COMMANDS, OTHER_COMMANDS FROM information_schema.USER_STATISTICS WHERE USER = %s",
        [READER],
    )
    return tuple(int(value) for value in found[0]) if found else (0, 0, 0)  # type: ignore[return-value]


def total_reads(root: MySQLdb.Connection) -> int:
    """The rows the FAC reader (opsync) has read so far."""
    return reader_counters(root)[0]


def wait_until(probe, what: str, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while not probe():
        if time.monotonic() > deadline:
            raise BenchError(f"timed out waiting for {what}")
        time.sleep(0.01)


def one_change(writer: MySQLdb.Connection, watcher: MySQLdb.Connection, rows: int, k: int, rng) -> float:
    """One single-row change in FAC (an insert, an update or a soft delete, at random), committed;
    then the seconds until OPS has it right."""
    kind = ("insert", "update", "delete")[k % 3]
    table = "clients" if kind == "insert" else rng.choice(list(queries.FAC_ROWS))
    name = f"Veille {k} {secrets.token_hex(3)}"
    if kind == "insert":
        with writer.cursor() as cursor:
            cursor.execute(queries.watch_insert(), [name])
            row_id = cursor.lastrowid
    else:
        found = execute(writer, queries.live_row(table), [rng.randint(1, rows)])
        row_id = found[0][0] if found else execute(writer, queries.live_row(table), [1])[0][0]
        if kind == "update":
            execute(writer, queries.watch_update(table), [name, row_id])
        else:
            execute(writer, queries.watch_soft_delete(table), [row_id])
    committed = time.monotonic()

    def arrived() -> bool:
        found = execute(watcher, queries.ops_row(table), [row_id])
        return bool(found) and (found[0][0] == name if kind != "delete" else found[0][1] == 1)

    wait_until(arrived, f"{kind} of {table} #{row_id} to reach OPS", seconds=120)
    return time.monotonic() - committed
