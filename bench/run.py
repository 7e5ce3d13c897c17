"""How fast opsync is, and how much memory it takes, measured against "the limit".

Not a test: it takes minutes and its seconds depend on the machine. It builds a FAC
database of six tables (the five built-in ones and `navires`, declared in the mapping file)
of N realistic rows each on MariaDB (accents, emoji, empty strings, 5,000-character notes,
NULL `updated_at`, soft deletes; N = 100 000 by default, as in the figures this project's
machines were sized on) and measures:

- **the limit**: the server itself copying FAC into OPS-shaped tables with
  `INSERT … SELECT … ON DUPLICATE KEY UPDATE`, into empty tables (first pass) and over
  identical rows (second pass). Nothing that moves rows through a client can beat it, and
  it slows down with the machine as opsync does, so each figure is also given as a
  multiple of it: on a shared, noisy machine the ratios hold where the seconds do not;
- **opsync as cron runs it**, `manage.py sync_from_facturation` in a child process (wall
  time, and peak RSS from the child's rusage): a full sync into an empty OPS, `--force`
  over an identical OPS, an incremental run with nothing to do (less Django's start-up,
  measured with `manage.py check`), an incremental run after 1 % of the rows changed,
  `--verify` over an identical OPS, and the two full syncs again with 2N rows a table, to show
  that memory does not grow with the tables;
- **the Laravel command's algorithm** (per row: SELECT the id, then UPDATE or INSERT), on
  a sample, extrapolated to every table: opsync must be at least 30 times faster;
- **the floor of a no-change run**: FAC's own aggregate pass over every table (the engine's
  query, through the reader), the one query an incremental run cannot avoid; the run's work
  must stay within 1.3 times it;
- **the watcher** (`--watch`, every 2 s) over single-row changes made at random moments:
  the time from each FAC commit until the row is right in OPS (median, 95th percentile,
  longest), then an idle minute: the rows the server reads meanwhile (every `Handler_read_*`
  counter, the whole server's: run it on a quiet one), the runs recorded, the transactions left
  open, the watcher's CPU time and memory;
- with `--scale ROWS`, the full syncs, the no-change run and its floor and `--verify` again at
  ROWS a table, against the same targets, with the memory compared.

Each figure is checked against its target; the whole is printed and written as markdown.

    .venv/bin/python bench/run.py [--rows N] [--scale ROWS] [--only adoption] [--keep] [--output FILE]

It creates and drops the databases bench_fac, bench_ops and bench_limit and the user
bench_reader on 127.0.0.1:3306 (root, empty password); --keep leaves them for a look.
"""

import argparse
import os
import platform
import re
import secrets
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"


def reexec_in_virtualenv() -> None:
    """`python bench/run.py` from a shell without the virtualenv: start again inside it."""
    if Path(sys.prefix).resolve() != PYTHON.parent.parent.resolve() and PYTHON.exists():
        os.execv(PYTHON, [str(PYTHON), *sys.argv])  # noqa: S606


reexec_in_virtualenv()
sys.path.insert(0, str(ROOT))

import django  # noqa: E402
import MySQLdb  # noqa: E402

from bench import queries  # noqa: E402
from bench.queries import ADOPT_DB, FAC_DB, LIMIT_DB, OPS_DB  # noqa: E402

MYSQL = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
READER = "bench_reader"
FAC_SCHEMA = ROOT / "sql" / "facturation_schema.sql"
READER_SCRIPT = ROOT / "sql" / "create_ops_reader.sql"
LARAVEL_SAMPLE = 2000
TABLES = len(queries.FAC_ROWS)  # the five and the declared one
IDLE_REPEATS = 3
MIB = 1024  # ru_maxrss is in KiB on Linux
TIMES, NONE = "\N{MULTIPLICATION SIGN}", "\N{EN DASH}"

# The targets, as ratios to the limit (docs/architecture.md, "Benchmark").
FULL_MAX_LIMITS = 4.0
LARAVEL_MIN_SPEEDUP = 30.0
IDLE_MAX_FLOORS = 1.3  # no-change work, to FAC's own aggregate pass over every table
IDENTICAL_MAX_SECOND_PASSES = 1.0
RSS_MAX_MIB = 250.0
RSS_MAX_GROWTH = 1.10
# The watcher (sync_from_facturation --watch), at its default interval.
WATCH_INTERVAL = 2.0
WATCH_CHANGES = 50
WATCH_P95_MAX = 3.0  # seconds from the FAC commit to the row right in OPS
WATCH_IDLE_SECONDS = 60
WATCH_IDLE_MAX_SHARE = 0.01  # rows the server reads for an idle watcher, per minute, to one table's rows
# `--only watch`: the watcher's cost per change, without and with an index on FAC's updated_at.
COST_CHANGES = 24
COST_MAX_READ_SHARE = 0.01  # with the index: rows the server reads per single-row change, to one table's rows
COST_MAX_BUSY = 0.25  # without it: the share of the time FAC spends in opsync's scans


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
    """OPS table → its mirrored columns, from the one declaration in syncapp/mapping.py."""
    from syncapp.mapping import mappings

    return {mapping.ops_table: mapping.columns for mapping in mappings()}


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


def run_manage(arguments: list[str], env: dict[str, str]) -> ChildRun:
    """`manage.py …` in a child process: its wall time and, from wait4, its peak RSS."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603
            [str(PYTHON), "manage.py", *arguments], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        output.seek(0)
        return ChildRun(wall, usage.ru_maxrss / MIB, process.returncode, output.read())


def opsync(arguments: list[str], env: dict[str, str], label: str) -> ChildRun:
    """A run that must succeed; prints one progress line."""
    run = run_manage(arguments, env)
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


# -- The measurements -----------------------------------------------------------------------


@dataclass
class Figures:
    rows: int
    clients_mib: float
    limit_first: float
    limit_second: float
    full_empty: ChildRun | None  # None with --only
    full_identical: ChildRun | None
    laravel_rows_per_s: float | None = None
    idle: list[ChildRun] | None = None
    startup: list[ChildRun] | None = None
    one_percent: ChildRun | None = None
    one_percent_rows: int = 0
    verify: ChildRun | None = None  # measured at N only
    adoption: ChildRun | None = None  # measured at N only
    adoption_verify: ChildRun | None = None
    adoption_stale: int = 0
    adoption_ops_only: int = 0
    floor: float = 0.0  # FAC's own aggregate pass over every table (median)
    watch: "WatchFigures | None" = None  # measured at N only

    @property
    def idle_median(self) -> float:
        return statistics.median(run.wall for run in self.idle or [])

    @property
    def startup_median(self) -> float:
        return statistics.median(run.wall for run in self.startup or [])

    @property
    def idle_work(self) -> float:
        return self.idle_median - self.startup_median


def prepare(root: MySQLdb.Connection, rows: int, reader_password: str, env: dict[str, str]) -> float:
    """Fresh FAC with `rows` rows a table, empty migrated OPS, empty limit tables; returns clients' size."""
    print(f"creating {FAC_DB}, {OPS_DB}, {LIMIT_DB} and the user {READER}…", flush=True)
    recreate_databases(root)
    create_fac(root, reader_password)
    print(f"filling FAC: {len(queries.FAC_ROWS)} {TIMES} {rows} rows (the five and a declared table)…", flush=True)
    with timed() as elapsed:
        fill_fac(root, rows)
    clients_mib = table_mib(root, FAC_DB, "clients")
    print(f"  filled in {elapsed[0]:.1f} s; clients: {clients_mib:.0f} MiB", flush=True)
    print(f"migrating {OPS_DB}…", flush=True)
    migrate = run_manage(["migrate", "--noinput"], env)
    if migrate.returncode != 0:
        raise BenchError(f"migrate failed:\n{migrate.output[-3000:]}")
    create_limit_tables(root)
    return clients_mib


def measure_limit(root: MySQLdb.Connection) -> tuple[float, float]:
    print("the limit (INSERT … SELECT … ON DUPLICATE KEY UPDATE, all six tables)…", flush=True)
    first = copy_at_the_limit(root)
    second = copy_at_the_limit(root)
    print(f"  first pass {first:.2f} s, second pass {second:.2f} s", flush=True)
    return first, second


def measure_full_syncs(root: MySQLdb.Connection, env: dict[str, str]) -> tuple[ChildRun, ChildRun]:
    full_empty = opsync(["sync_from_facturation", "--force"], env, "a. full sync into empty OPS")
    check_mirror_complete(root)
    full_identical = opsync(["sync_from_facturation", "--force"], env, "b. --force over identical OPS")
    return full_empty, full_identical


def measure_at(root: MySQLdb.Connection, rows: int, reader_password: str, env: dict[str, str]) -> Figures:
    """Everything at N rows per table."""
    clients_mib = prepare(root, rows, reader_password, env)
    limit_first, limit_second = measure_limit(root)
    sample = min(LARAVEL_SAMPLE, rows)
    print(f"the Laravel algorithm on {sample} clients…", flush=True)
    laravel = laravel_rate(root, sample)
    print(f"  {laravel:.0f} rows/s", flush=True)
    full_empty, full_identical = measure_full_syncs(root, env)
    figures = Figures(rows, clients_mib, limit_first, limit_second, full_empty, full_identical, laravel)
    measure_no_change(root, figures, env)
    figures.one_percent_rows = change_one_percent(root)
    print(f"d. {figures.one_percent_rows} FAC rows changed (1 %)…", flush=True)
    figures.one_percent = opsync(["sync_from_facturation"], env, "d. incremental after 1 % changed")
    figures.verify = opsync(["sync_from_facturation", "--verify"], env, "e. --verify on identical OPS")
    figures.watch = measure_watch(root, rows, env)
    measure_adoption(root, figures, env)
    return figures


def measure_no_change(root: MySQLdb.Connection, figures: Figures, env: dict[str, str]) -> None:
    """c. Incremental runs with nothing to do, Django's start-up, and their floor, in turns: each
    sees the server as the others do (the full syncs before leave it writing back for a while)."""
    what = "incremental runs with no change, `manage.py check` and the floor"
    print(f"c. {what}, {IDLE_REPEATS} times each…", flush=True)
    settle(root)
    figures.idle, figures.startup, floors = [], [], []
    for _ in range(IDLE_REPEATS):
        figures.idle.append(opsync(["sync_from_facturation"], env, "c. incremental, no change"))
        figures.startup.append(opsync(["check"], env, "c. manage.py check"))
        floors.append(fac_aggregate_pass())
    figures.floor = statistics.median(floors)


def settle(root: MySQLdb.Connection, seconds: float = 120) -> None:
    """Wait (a while at most) for InnoDB to write back the pages the last runs left dirty."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        dirty = int(execute(root, queries.dirty_pages())[0][1])
        if dirty < 100:
            return
        time.sleep(1)


def measure_at_scale(root: MySQLdb.Connection, rows: int, reader_password: str, env: dict[str, str]) -> Figures:
    """The scale run: the full syncs, the no-change run and its floor, and --verify, at a larger N."""
    clients_mib = prepare(root, rows, reader_password, env)
    limit_first, limit_second = measure_limit(root)
    full_empty, full_identical = measure_full_syncs(root, env)
    figures = Figures(rows, clients_mib, limit_first, limit_second, full_empty, full_identical)
    measure_no_change(root, figures, env)
    figures.verify = opsync(["sync_from_facturation", "--verify"], env, "e. --verify on identical OPS")
    return figures


def fac_aggregate_pass() -> float:
    """The floor: FAC's own aggregate pass over every table, as an incremental run sends it
    (the engine's own query, through the reader): the one query a run cannot avoid."""
    from django.db import connections

    from syncapp.engine.plan import ID_CHUNK
    from syncapp.mapping import mappings
    from syncapp.sql import sums

    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=10)
    with timed() as elapsed:
        for mapping in mappings():
            sums.id_sums(mapping.fac, chunk=ID_CHUNK, since=since)
    connections.close_all()
    print(f"  c. FAC's aggregate pass (the floor): {elapsed[0]:.2f} s", flush=True)
    return elapsed[0]


@dataclass
class WatchFigures:
    latencies: list[float]  # seconds from each change's FAC commit to the row right in OPS
    one_table_run: float  # the longest of the watcher's one-table runs meanwhile (seconds)
    idle_reads: int  # rows the server read over the idle minute, every kind of handler read
    idle_runs: int  # runs recorded over the idle minute
    idle_cpu: float  # the watcher's CPU seconds over the idle minute
    idle_open_transactions: int  # the reader's open transactions, seen during the idle minute
    rss_start: float  # the watcher's RSS (MiB) when the changes began …
    rss_end: float  # … and after the idle minute
    returncode: int  # after SIGTERM

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def process_rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s*(\d+) kB", status, re.MULTILINE).group(1)) / MIB


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def total_reads(root: MySQLdb.Connection) -> int:
    return sum(int(value) for _, value in execute(root, queries.handler_reads()))


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


@contextmanager
def watcher_running(root: MySQLdb.Connection, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """`sync_from_facturation --watch` at WATCH_INTERVAL, in a child process, once its first run is
    done; stopped by SIGTERM as systemd stops it, after which it must exit 0."""
    watch_env = {**env, "SYNC_WATCH_INTERVAL": f"{WATCH_INTERVAL:g}", "SYNC_INTERVAL_MINUTES": "59"}
    first_run = execute(root, queries.last_run_id())[0][0]
    process = subprocess.Popen(  # noqa: S603
        [str(PYTHON), "manage.py", "sync_from_facturation", "--watch"],
        cwd=ROOT, env=watch_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_until(lambda: execute(root, queries.finished_watch_runs(first_run)), "the watcher's first run")
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=120)
    if process.returncode != 0:
        raise BenchError(f"the watcher exited {process.returncode} on SIGTERM:\n{errors[-3000:]}")


def measure_watch(root: MySQLdb.Connection, rows: int, env: dict[str, str]) -> WatchFigures:
    """h. The watcher at its default interval: latency over single-row changes, then an idle minute."""
    import random

    what = f"{WATCH_CHANGES} single-row changes, then {WATCH_IDLE_SECONDS} s idle"
    print(f"h. the watcher (every {WATCH_INTERVAL:g} s): {what}…", flush=True)
    writer, watcher = connect(), connect()
    with watcher_running(root, env) as process, closing(writer), closing(watcher):
        time.sleep(2 * WATCH_INTERVAL)
        before_changes = execute(root, queries.last_run_id())[0][0]
        rss_start = process_rss_mib(process.pid)
        rng = random.Random(20261130)
        latencies = []
        for k in range(WATCH_CHANGES):
            time.sleep(rng.uniform(0, 2 * WATCH_INTERVAL))  # a random moment of the poll cycle
            latencies.append(one_change(writer, watcher, rows, k, rng))
        watch_runs = execute(root, queries.finished_watch_runs(before_changes))
        one_table = [float(seconds) for tables, seconds in watch_runs if tables == 1]
        print(f"  latency p50 {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s", flush=True)
        time.sleep(2 * WATCH_INTERVAL)  # the last change's second settles
        runs, reads = execute(root, queries.last_run_id())[0][0], total_reads(root)
        cpu = process_cpu_seconds(process.pid)
        open_seen = 0
        for _ in range(3):  # a look now and then: the server counts the looks' own reads too
            time.sleep(WATCH_IDLE_SECONDS / 3)
            open_seen = max(open_seen, execute(root, queries.open_transactions(), [READER])[0][0])
        idle_reads = total_reads(root) - reads
        idle_cpu = process_cpu_seconds(process.pid) - cpu
        idle_runs = execute(root, queries.last_run_id())[0][0] - runs
        rss_end = process_rss_mib(process.pid)
        print(f"  idle: {idle_reads} rows read, {idle_runs} runs, {idle_cpu:.2f} s CPU", flush=True)
    return WatchFigures(
        latencies=latencies,
        one_table_run=max(one_table, default=0.0),
        idle_reads=idle_reads,
        idle_runs=idle_runs,
        idle_cpu=idle_cpu,
        idle_open_transactions=open_seen,
        rss_start=rss_start,
        rss_end=rss_end,
        returncode=process.returncode,
    )


def measure_adoption(root: MySQLdb.Connection, figures: Figures, env: dict[str, str]) -> None:
    """g. The first run on an OPS whose tables exist (the operations application's): Laravel's
    copies, 1 % stale, and as many clients of OPS's own as FAC has; then --verify."""
    print(f"g. an adopted OPS ({ADOPT_DB}): Laravel's copies, 1 % stale, {figures.rows} OPS-only clients…", flush=True)
    execute(root, f"DROP DATABASE IF EXISTS `{ADOPT_DB}`")
    execute(root, f"CREATE DATABASE `{ADOPT_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    tables = {table: columns for table, columns in mirrored_columns().items() if table != queries.DECLARED_TABLE}
    for table, columns in tables.items():  # the five (the declared table is opsync's own mirror in either OPS)
        for statement in queries.adopted_table(table):
            execute(root, statement)
        execute(root, queries.laravel_copy(table, columns))
        with root.cursor() as cursor:
            figures.adoption_stale += cursor.execute(queries.make_stale(table))
    highest = execute(root, queries.highest_id(FAC_DB, "clients"))[0][0]
    execute(root, queries.ops_only_clients(highest + 1000, figures.rows))
    figures.adoption_ops_only = figures.rows
    mapping = Path(tempfile.mkstemp(prefix="opsync-bench-", suffix=".toml")[1])
    mapping.write_text(queries.mapping_file(tables), encoding="utf-8")
    adopted = {**env, "DB_DATABASE": ADOPT_DB, "SYNC_MAPPING_FILE": str(mapping)}
    try:
        migrate = run_manage(["migrate", "--noinput"], adopted)
        if migrate.returncode != 0:
            raise BenchError(f"migrate on {ADOPT_DB} failed:\n{migrate.output[-3000:]}")
        figures.adoption = opsync(["sync_from_facturation"], adopted, "g. first run on the adopted OPS")
        figures.adoption_verify = opsync(["sync_from_facturation", "--verify"], adopted, "g. … then --verify")
    finally:
        mapping.unlink(missing_ok=True)
        execute(root, f"DROP DATABASE IF EXISTS `{ADOPT_DB}`")


def measure_adoption_only(root: MySQLdb.Connection, rows: int, reader_password: str, env: dict[str, str]) -> Figures:
    """`--only adoption`: FAC, the limit and g. alone (a few minutes instead of half an hour)."""
    clients_mib = prepare(root, rows, reader_password, env)
    limit_first, limit_second = measure_limit(root)
    figures = Figures(rows, clients_mib, limit_first, limit_second, None, None)
    measure_adoption(root, figures, env)
    return figures


def measure_at_double(root: MySQLdb.Connection, rows: int, reader_password: str, env: dict[str, str]) -> Figures:
    """f. The full syncs again with 2N rows per table, for peak RSS."""
    clients_mib = prepare(root, rows, reader_password, env)
    limit_first, limit_second = measure_limit(root)
    full_empty, full_identical = measure_full_syncs(root, env)
    return Figures(rows, clients_mib, limit_first, limit_second, full_empty, full_identical)


# -- The report ---------------------------------------------------------------------------


@dataclass
class Target:
    text: str
    value: float
    bound: float
    at_most: bool = True

    def verdict(self) -> str:
        if self.value <= self.bound if self.at_most else self.value >= self.bound:
            return "yes"
        if self.at_most:
            return f"**no**: {self.value / self.bound - 1:.0%} over"
        return f"**no**: {1 - self.value / self.bound:.0%} short"


@dataclass
class Row:
    measure: str
    wall: str = NONE
    ratio: str = NONE
    rss: str = NONE
    target: Target | None = None

    def cells(self) -> list[str]:
        target, verdict = (self.target.text, self.target.verdict()) if self.target else (NONE, NONE)
        return [self.measure, self.wall, self.ratio, self.rss, target, verdict]


HEADER = ["measure", "wall time", "ratio", "peak RSS", "target", "holds"]


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def times(value: float) -> str:
    return f"{value:.2f} {TIMES}"


def mib(run: ChildRun | None) -> str:
    return f"{run.rss_mib:.0f} MiB" if run else NONE


def at_most(value: float, bound: float, unit: str) -> Target:
    return Target(f"≤ {bound:g} {unit}", value, bound)


def limit_rows(f: Figures, label: str = "") -> list[Row]:
    return [
        Row(f"the limit{label}, first pass (empty tables)", seconds(f.limit_first), times(1)),
        Row(
            f"the limit{label}, second pass (identical rows)",
            seconds(f.limit_second),
            times(f.limit_second / f.limit_first),
        ),
    ]


def rows_at_n(f: Figures) -> list[Row]:
    """Ratios to the limit's first pass, but b. and e. (identical OPS) to its second pass."""
    laravel_s = len(queries.FAC_ROWS) * f.rows / (f.laravel_rows_per_s or 1)
    speedup = laravel_s / f.full_empty.wall
    first, changed = f.limit_first, f.one_percent
    return [
        *limit_rows(f),
        Row(
            f"Laravel algorithm (per row: SELECT, then UPDATE or INSERT), {f.laravel_rows_per_s:.0f} rows/s "
            f"on {min(LARAVEL_SAMPLE, f.rows)} clients, extrapolated to {len(queries.FAC_ROWS)} {TIMES} {f.rows} rows",
            f"≈ {laravel_s:.0f} s",
            times(laravel_s / first),
        ),
        full_row(f),
        Row(
            "a. … its speed-up over the Laravel algorithm",
            ratio=f"{speedup:.0f} {TIMES} faster",
            target=Target(f"≥ {LARAVEL_MIN_SPEEDUP:g} {TIMES} faster", speedup, LARAVEL_MIN_SPEEDUP, at_most=False),
        ),
        identical_row(f),
        *no_change_rows(f),
        Row(
            f"d. incremental run after 1 % changed ({f.one_percent_rows} rows)",
            seconds(changed.wall),
            times(changed.wall / first),
            mib(changed),
        ),
        verify_row(f),
        *watch_rows(f.watch, f.rows),
        *adoption_rows(f),
    ]


def adoption_rows(f: Figures) -> list[Row]:
    """g. The adoption, as ratios to the limit's second pass (both sides hold the rows)."""
    return [
        Row(
            f"g. first run on an adopted OPS, {f.adoption_stale} rows (1 %) stale, {f.adoption_ops_only} OPS-only "
            "clients (ratio to the second pass)",
            seconds(f.adoption.wall),
            times(f.adoption.wall / f.limit_second),
            mib(f.adoption),
        ),
        Row(
            "g. … then --verify on it (ratio to the second pass)",
            seconds(f.adoption_verify.wall),
            times(f.adoption_verify.wall / f.limit_second),
            mib(f.adoption_verify),
        ),
    ]


def timed_row(label: str, run: ChildRun, limit: float, bound: float, unit: str) -> Row:
    """A run against its target, as a multiple of a pass of the limit."""
    ratio = run.wall / limit
    return Row(label, seconds(run.wall), times(ratio), mib(run), at_most(ratio, bound, f"{TIMES} {unit}"))


def full_row(f: Figures) -> Row:
    label = "a. full sync into empty OPS (`--force`)"
    return timed_row(label, f.full_empty, f.limit_first, FULL_MAX_LIMITS, "the limit")


def identical_row(f: Figures) -> Row:
    label = "b. `--force` over identical OPS (ratio to the second pass)"
    return timed_row(label, f.full_identical, f.limit_second, IDENTICAL_MAX_SECOND_PASSES, "the second pass")


def no_change_rows(f: Figures) -> list[Row]:
    return [
        Row(
            f"c. incremental run, no change (median of {IDLE_REPEATS})",
            seconds(f.idle_median),
            rss=mib(max(f.idle or [], key=lambda run: run.rss_mib)),
        ),
        Row(
            f"c. `manage.py check`, Django's start-up (median of {IDLE_REPEATS})",
            seconds(f.startup_median),
            rss=mib(max(f.startup or [], key=lambda run: run.rss_mib)),
        ),
        *floor_rows(f),
    ]


def floor_rows(f: Figures) -> list[Row]:
    """c. The no-change run's work against its floor: FAC's own aggregate pass, measured alongside."""
    work = f.idle_work
    return [
        Row(
            f"c. FAC's own aggregate pass over every table: the floor (median of {IDLE_REPEATS})",
            seconds(f.floor),
            times(f.floor / f.limit_first),
        ),
        Row(
            "c. … incremental work, run minus start-up (ratio to the floor)",
            seconds(work),
            f"{work / f.floor:.2f} {TIMES} the floor ({work / f.limit_first:.2f} {TIMES} the limit)",
            target=at_most(work / f.floor, IDLE_MAX_FLOORS, f"{TIMES} the floor"),
        ),
    ]


def watch_rows(w: WatchFigures, rows: int) -> list[Row]:
    """h. The watcher: how long a change takes to arrive, and what it costs when nothing changes."""
    longest_bound = WATCH_INTERVAL + w.one_table_run
    reads_bound = WATCH_IDLE_MAX_SHARE * rows * WATCH_IDLE_SECONDS / 60
    count = len(w.latencies)
    growth = w.rss_end / w.rss_start
    return [
        Row(f"h. watcher, {count} single-row changes: FAC commit to OPS, median", seconds(w.percentile(0.5))),
        Row(
            "h. … 95th percentile",
            seconds(w.percentile(0.95)),
            target=at_most(w.percentile(0.95), WATCH_P95_MAX, "s"),
        ),
        Row(
            f"h. … longest (bound: the interval, {WATCH_INTERVAL:g} s, plus its longest one-table run, "
            f"{w.one_table_run:.2f} s)",
            seconds(max(w.latencies)),
            target=at_most(max(w.latencies), round(longest_bound, 2), "s"),
        ),
        Row(
            f"h. watcher idle for {WATCH_IDLE_SECONDS} s: rows the server read (all Handler_read_* counters)",
            f"{w.idle_reads} rows",
            f"{w.idle_reads / rows:.2%} of a table",
            target=Target(f"≤ {WATCH_IDLE_MAX_SHARE:.0%} of a table ({reads_bound:.0f})", w.idle_reads, reads_bound),
        ),
        Row(
            "h. … runs recorded, FAC transactions left open",
            f"{w.idle_runs} runs, {w.idle_open_transactions} transactions",
            target=Target("none", w.idle_runs + w.idle_open_transactions, 0),
        ),
        Row("h. … the watcher's CPU time", seconds(w.idle_cpu), f"{w.idle_cpu / WATCH_IDLE_SECONDS:.2%} of a core"),
        Row(
            "h. … the watcher's RSS, before the changes → after the idle minute",
            ratio=times(growth),
            rss=f"{w.rss_start:.0f} MiB → {w.rss_end:.0f} MiB",
            target=Target(f"≤ +{RSS_MAX_GROWTH - 1:.0%}", growth, RSS_MAX_GROWTH),
        ),
    ]


def verify_row(f: Figures) -> Row:
    label = "e. `--verify` on identical OPS (ratio to the second pass)"
    return timed_row(label, f.verify, f.limit_second, IDENTICAL_MAX_SECOND_PASSES, "the second pass")


def rows_at_2n(n: Figures, double: Figures) -> list[Row]:
    """f. The same full syncs with twice the rows: memory must not follow the table size."""
    syncs = [n.full_empty, n.full_identical, *(n.idle or []), n.one_percent, n.verify]
    largest = max(run.rss_mib for run in [*syncs, double.full_empty, double.full_identical] if run)
    growth = f"≤ +{RSS_MAX_GROWTH - 1:.0%} at 2N"
    rows = [
        *limit_rows(double, " at 2N"),
        Row(
            "f. full sync into empty OPS at 2N (`--force`)",
            seconds(double.full_empty.wall),
            times(double.full_empty.wall / double.limit_first),
            mib(double.full_empty),
        ),
        Row(
            "f. `--force` over identical OPS at 2N (ratio to the second pass)",
            seconds(double.full_identical.wall),
            times(double.full_identical.wall / double.limit_second),
            mib(double.full_identical),
        ),
    ]
    for label, at_n, at_2n in (
        ("a.", n.full_empty, double.full_empty),
        ("b.", n.full_identical, double.full_identical),
    ):
        ratio = at_2n.rss_mib / at_n.rss_mib
        rss = f"{mib(at_n)} → {mib(at_2n)}"
        rows.append(
            Row(
                f"f. peak RSS of {label}, 2N vs N",
                ratio=times(ratio),
                rss=rss,
                target=Target(growth, ratio, RSS_MAX_GROWTH),
            )
        )
    rows.append(
        Row(
            "peak RSS, largest of all the sync runs",
            rss=f"{largest:.0f} MiB",
            target=at_most(largest, RSS_MAX_MIB, "MiB"),
        )
    )
    return rows


def markdown_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def machine(root: MySQLdb.Connection) -> list[str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    memory = f"{int(meminfo.group(1)) / MIB / MIB:.1f} GiB" if meminfo else "unknown"
    cpu = model.group(1).strip() if model else "unknown CPU"
    return [
        f"- machine: {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {memory} memory, {cpu}",
        f"- MariaDB {execute(root, 'SELECT VERSION()')[0][0]}, Python {platform.python_version()}",
        f"- date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
    ]


def rows_at_scale(n: Figures, scale: Figures) -> list[Row]:
    """The same targets at the larger size; memory compared with N's."""
    largest = max(run.rss_mib for run in [scale.full_empty, scale.full_identical, *(scale.idle or []), scale.verify])
    largest_at_n = max(run.rss_mib for run in [n.full_empty, n.full_identical, *(n.idle or []), n.verify])
    growth = largest / largest_at_n
    within = Target(f"≤ +{RSS_MAX_GROWTH - 1:.0%}", growth, RSS_MAX_GROWTH)
    return [
        *limit_rows(scale),
        full_row(scale),
        identical_row(scale),
        *no_change_rows(scale),
        verify_row(scale),
        Row(
            f"peak RSS, largest of the sync runs, at {TABLES} {TIMES} {scale.rows} vs {TABLES} {TIMES} {n.rows}",
            ratio=times(growth),
            rss=f"{largest_at_n:.0f} MiB → {largest:.0f} MiB",
            target=within if largest <= RSS_MAX_MIB else at_most(largest, RSS_MAX_MIB, "MiB"),
        ),
    ]


def report(root: MySQLdb.Connection, n: Figures, double: Figures, scale: Figures | None, command: str) -> str:
    return "\n".join(
        [
            "# opsync benchmark",
            "",
            f'Produced by `{command}` (see docs/architecture.md, "Benchmark").',
            "",
            *machine(root),
            f"- data: {TABLES} {TIMES} {n.rows} FAC rows (clients: {n.clients_mib:.0f} MiB), "
            f"then {TABLES} {TIMES} {double.rows} (clients: {double.clients_mib:.0f} MiB)",
            "",
            "Wall times of `manage.py` child processes, Django's start-up included; ratios are to the limit's "
            "first pass at the same size unless the row says otherwise. One run each (c.: the median of "
            f"{IDLE_REPEATS}) on a shared machine: read the ratios, not the seconds.",
            "",
            markdown_table([*rows_at_n(n), *rows_at_2n(n, double)]),
            "",
            *scale_section(n, scale),
        ]
    )


def scale_section(n: Figures, scale: Figures | None) -> list[str]:
    if scale is None:
        return []
    return [
        f"## At {TABLES} {TIMES} {scale.rows} rows (`--scale {scale.rows}`, clients: {scale.clients_mib:.0f} MiB)",
        "",
        "The same measures and targets at the larger size, in the same run: the ratios and the memory should hold.",
        "",
        markdown_table(rows_at_scale(n, scale)),
        "",
    ]


# -- The watcher's cost per change (`--only watch`) -------------------------------------


@dataclass
class CostFigures:
    indexed: bool
    latencies: list[float]
    reads_per_change: float  # rows the server read per change, the idle rate taken off
    busy: float  # share of the phase's time FAC spent in opsync's scans

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def cursor_indexes(root: MySQLdb.Connection, create: bool) -> None:
    for table in queries.FAC_ROWS:
        execute(root, queries.cursor_index(table, create))


def measure_watch_cost(root: MySQLdb.Connection, rows: int, env: dict[str, str], indexed: bool) -> CostFigures:
    """The watcher over COST_CHANGES single-row changes at random moments, with or without FAC's index."""
    import random

    cursor_indexes(root, indexed)
    what = "with" if indexed else "without"
    print(f"w. the watcher, {what} an index on FAC's updated_at: {COST_CHANGES} single-row changes…", flush=True)
    writer, watcher = connect(), connect()
    with watcher_running(root, env), closing(writer), closing(watcher):
        time.sleep(3 * WATCH_INTERVAL)
        idle_reads, started = total_reads(root), time.monotonic()
        time.sleep(10)
        idle_rate = (total_reads(root) - idle_reads) / (time.monotonic() - started)
        before = execute(root, queries.last_run_id())[0][0]
        reads, started = total_reads(root), time.monotonic()
        rng = random.Random(20261201)
        latencies = []
        for k in range(COST_CHANGES):
            time.sleep(rng.uniform(1, 3 * WATCH_INTERVAL))  # apart, at a random moment of the poll cycle
            latencies.append(one_change(writer, watcher, rows, k, rng))
        time.sleep(2 * WATCH_INTERVAL)
        wall = time.monotonic() - started
        read = total_reads(root) - reads - idle_rate * wall
        scanned, _ = execute(root, queries.watch_scan_seconds(before))[0]
    figures = CostFigures(indexed, latencies, max(read, 0) / COST_CHANGES, float(scanned) / wall)
    print(
        f"  p50 {figures.percentile(0.5):.2f} s, p95 {figures.percentile(0.95):.2f} s, max {max(latencies):.2f} s; "
        f"{figures.reads_per_change:.0f} rows read per change; FAC busy with opsync {figures.busy:.1%}",
        flush=True,
    )
    return figures


def measure_watch_only(root: MySQLdb.Connection, rows: int, reader_password: str, env: dict[str, str]) -> list:
    """`--only watch`: FAC and a first copy at --rows, then the watcher without and with the index."""
    prepare(root, rows, reader_password, env)
    opsync(["sync_from_facturation", "--force"], env, "a. full sync into empty OPS")
    return [measure_watch_cost(root, rows, env, indexed) for indexed in (False, True)]


def cost_rows(figures: list[CostFigures], rows: int) -> list[Row]:
    found = []
    for f in figures:
        what = "with the index on updated_at" if f.indexed else "without an index on updated_at"
        p95 = f.percentile(0.95)
        found.append(
            Row(
                f"w. watcher {what}, {len(f.latencies)} single-row changes: FAC commit to OPS, p50 / max",
                f"{f.percentile(0.5):.2f} s / {max(f.latencies):.2f} s",
            )
        )
        found.append(Row("w. … 95th percentile", seconds(p95), target=at_most(p95, WATCH_P95_MAX, "s")))
        share = f.reads_per_change / rows
        bound = COST_MAX_READ_SHARE * rows
        read_target = (
            Target(f"≤ {COST_MAX_READ_SHARE:.0%} of a table", f.reads_per_change, bound) if f.indexed else None
        )
        found.append(Row("w. … rows the server read per change (idle rate off)", f"{f.reads_per_change:.0f} rows",
                         f"{share:.2%} of a table", target=read_target))  # fmt: skip
        found.append(
            Row(
                "w. … share of the time FAC spent in opsync's scans",
                f"{f.busy:.1%}",
                target=Target(f"≤ {COST_MAX_BUSY:.0%}", f.busy, COST_MAX_BUSY),
            )
        )
    return found


# -- Main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="FAC rows per table (default 100000)")
    parser.add_argument("--keep", action="store_true", help="keep the bench_* databases and the bench_reader user")
    parser.add_argument(
        "--output", type=Path, help="the markdown report (default bench/results.md; printed only with --only)"
    )
    parser.add_argument(
        "--only",
        choices=["adoption", "watch"],
        help="only this part (adoption: g.; watch: the watcher's cost), at --rows",
    )
    parser.add_argument(
        "--scale", type=int, metavar="ROWS", help="then the full syncs, the no-change run and --verify at ROWS a table"
    )
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    return args


def command_line() -> str:
    python = Path(sys.executable)
    shown = python.relative_to(ROOT) if python.is_relative_to(ROOT) else python
    return f"{shown} {shlex.join(sys.argv)}"


def setup_django(env: dict[str, str]) -> None:
    """The bench reads the mapping from syncapp; it configures Django like its children."""
    os.environ.update(env)
    django.setup()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    reader_password = secrets.token_hex(16)
    log_file = Path(tempfile.mkstemp(prefix="opsync-bench-", suffix=".log")[1])
    mapping_file = Path(tempfile.mkstemp(prefix="opsync-bench-", suffix=".toml")[1])
    mapping_file.write_text(queries.DECLARED_MAPPING, encoding="utf-8")
    env = opsync_environment(reader_password, log_file, mapping_file)
    setup_django(env)
    root = connect()
    try:
        if args.only == "adoption":
            figures = measure_adoption_only(root, args.rows, reader_password, env)
            print("\n" + markdown_table([*limit_rows(figures), *adoption_rows(figures)]))
            if args.output:
                args.output.write_text(markdown_table([*limit_rows(figures), *adoption_rows(figures)]) + "\n")
            return 0
        if args.only == "watch":
            table = markdown_table(cost_rows(measure_watch_only(root, args.rows, reader_password, env), args.rows))
            print("\n" + table)
            if args.output:
                args.output.write_text(table + "\n", encoding="utf-8")
            return 0
        figures = measure_at(root, args.rows, reader_password, env)
        double = measure_at_double(root, 2 * args.rows, reader_password, env)
        scale = measure_at_scale(root, args.scale, reader_password, env) if args.scale else None
        text = report(root, figures, double, scale, command_line())
        print("\n" + text)
        output = args.output or ROOT / "bench" / "results.md"
        output.write_text(text, encoding="utf-8")
        print(f"written to {output}")
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept: databases {FAC_DB}, {OPS_DB}, {LIMIT_DB}, user {READER}; sync log {log_file}")
        else:
            drop_everything(root)
            log_file.unlink(missing_ok=True)
        mapping_file.unlink(missing_ok=True)
        root.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
