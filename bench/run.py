"""How fast opsync is, and how much memory it takes, measured against "the limit".

Not a test: it takes minutes and its seconds depend on the machine. It builds a FAC
database of five tables of N realistic rows each on MariaDB (accents, emoji, empty strings, 5,000-character
notes, NULL `updated_at`, soft deletes; N = 100 000 by default, as in
the figures this project's machines were sized on) and measures:

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
  a sample, extrapolated to the five tables: opsync must be at least 30 times faster.

Each figure is checked against its target; the whole is printed and written as markdown.

    .venv/bin/python bench/run.py [--rows N] [--keep] [--output bench/results.md]

It creates and drops the databases bench_fac, bench_ops and bench_limit and the user
bench_reader on 127.0.0.1:3306 (root, empty password); --keep leaves them for a look.
"""

import argparse
import os
import platform
import re
import secrets
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
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
IDLE_REPEATS = 3
MIB = 1024  # ru_maxrss is in KiB on Linux
TIMES, NONE = "\N{MULTIPLICATION SIGN}", "\N{EN DASH}"

# The targets, as ratios to the limit (README.md, "Benchmark").
FULL_MAX_LIMITS = 4.0
LARAVEL_MIN_SPEEDUP = 30.0
IDLE_MAX_LIMITS = 0.25
IDENTICAL_MAX_SECOND_PASSES = 1.0
RSS_MAX_MIB = 250.0
RSS_MAX_GROWTH = 1.10


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
    """The server copying FAC into the OPS-shaped tables, all five, in one pass (seconds)."""
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


def opsync_environment(reader_password: str, log_file: Path) -> dict[str, str]:
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
    full_empty: ChildRun
    full_identical: ChildRun
    laravel_rows_per_s: float | None = None
    idle: list[ChildRun] | None = None
    startup: list[ChildRun] | None = None
    one_percent: ChildRun | None = None
    one_percent_rows: int = 0
    verify: ChildRun | None = None  # measured at N only
    adoption: ChildRun | None = None  # measured at N only
    adoption_stale: int = 0

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
    print(f"filling FAC: 5 {TIMES} {rows} rows…", flush=True)
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
    print("the limit (INSERT … SELECT … ON DUPLICATE KEY UPDATE, all five tables)…", flush=True)
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
    print(f"c. incremental runs with no change, and `manage.py check`, {IDLE_REPEATS} times each…", flush=True)
    figures.idle = [opsync(["sync_from_facturation"], env, "c. incremental, no change") for _ in range(IDLE_REPEATS)]
    figures.startup = [opsync(["check"], env, "c. manage.py check") for _ in range(IDLE_REPEATS)]
    figures.one_percent_rows = change_one_percent(root)
    print(f"d. {figures.one_percent_rows} FAC rows changed (1 %)…", flush=True)
    figures.one_percent = opsync(["sync_from_facturation"], env, "d. incremental after 1 % changed")
    figures.verify = opsync(["sync_from_facturation", "--verify"], env, "e. --verify on identical OPS")
    figures.adoption, figures.adoption_stale = measure_adoption(root, env)
    return figures


def measure_adoption(root: MySQLdb.Connection, env: dict[str, str]) -> tuple[ChildRun, int]:
    """g. The first run on an OPS whose tables exist (the operations application's), 1 % stale."""
    print(f"g. an adopted OPS ({ADOPT_DB}): Laravel's copies, 1 % stale, OPS-only rows…", flush=True)
    execute(root, f"DROP DATABASE IF EXISTS `{ADOPT_DB}`")
    execute(root, f"CREATE DATABASE `{ADOPT_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    tables = mirrored_columns()
    stale = 0
    for table, columns in tables.items():
        for statement in queries.adopted_table(table):
            execute(root, statement)
        execute(root, queries.laravel_copy(table, columns))
        with root.cursor() as cursor:
            stale += cursor.execute(queries.make_stale(table))
    highest = execute(root, queries.highest_id(FAC_DB, "clients"))[0][0]
    execute(root, queries.ops_only_clients(highest + 1000, 50))
    mapping = Path(tempfile.mkstemp(prefix="opsync-bench-", suffix=".toml")[1])
    mapping.write_text(queries.mapping_file(tables), encoding="utf-8")
    adopted = {**env, "DB_DATABASE": ADOPT_DB, "SYNC_MAPPING_FILE": str(mapping)}
    try:
        migrate = run_manage(["migrate", "--noinput"], adopted)
        if migrate.returncode != 0:
            raise BenchError(f"migrate on {ADOPT_DB} failed:\n{migrate.output[-3000:]}")
        run = opsync(["sync_from_facturation"], adopted, "g. first run on the adopted OPS")
        opsync(["sync_from_facturation", "--verify"], adopted, "g. … then --verify")
    finally:
        mapping.unlink(missing_ok=True)
        execute(root, f"DROP DATABASE IF EXISTS `{ADOPT_DB}`")
    return run, stale


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
    laravel_s = 5 * f.rows / (f.laravel_rows_per_s or 1)
    full, identical, changed = f.full_empty, f.full_identical, f.one_percent
    speedup = laravel_s / full.wall
    first, second = f.limit_first, f.limit_second
    return [
        *limit_rows(f),
        Row(
            f"Laravel algorithm (per row: SELECT, then UPDATE or INSERT), {f.laravel_rows_per_s:.0f} rows/s "
            f"on {min(LARAVEL_SAMPLE, f.rows)} clients, extrapolated to 5 {TIMES} {f.rows} rows",
            f"≈ {laravel_s:.0f} s",
            times(laravel_s / first),
        ),
        Row(
            "a. full sync into empty OPS (`--force`)",
            seconds(full.wall),
            times(full.wall / first),
            mib(full),
            at_most(full.wall / first, FULL_MAX_LIMITS, f"{TIMES} the limit"),
        ),
        Row(
            "a. … its speed-up over the Laravel algorithm",
            ratio=f"{speedup:.0f} {TIMES} faster",
            target=Target(f"≥ {LARAVEL_MIN_SPEEDUP:g} {TIMES} faster", speedup, LARAVEL_MIN_SPEEDUP, at_most=False),
        ),
        Row(
            "b. `--force` over identical OPS (ratio to the second pass)",
            seconds(identical.wall),
            times(identical.wall / second),
            mib(identical),
            at_most(identical.wall / second, IDENTICAL_MAX_SECOND_PASSES, f"{TIMES} the second pass"),
        ),
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
        Row(
            "c. … incremental work: run minus start-up",
            seconds(f.idle_work),
            times(f.idle_work / first),
            target=at_most(f.idle_work / first, IDLE_MAX_LIMITS, f"{TIMES} the limit"),
        ),
        Row(
            f"d. incremental run after 1 % changed ({f.one_percent_rows} rows)",
            seconds(changed.wall),
            times(changed.wall / first),
            mib(changed),
        ),
        verify_row(f),
        Row(
            f"g. first run on an adopted OPS, {f.adoption_stale} rows (1 %) stale (ratio to the second pass)",
            seconds(f.adoption.wall),
            times(f.adoption.wall / f.limit_second),
            mib(f.adoption),
        ),
    ]


def verify_row(f: Figures) -> Row:
    label = "e. `--verify` on identical OPS (ratio to the second pass)"
    ratio = f.verify.wall / f.limit_second
    target = at_most(ratio, IDENTICAL_MAX_SECOND_PASSES, f"{TIMES} the second pass")
    return Row(label, seconds(f.verify.wall), times(ratio), mib(f.verify), target)


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


def report(root: MySQLdb.Connection, n: Figures, double: Figures, command: str) -> str:
    return "\n".join(
        [
            "# opsync benchmark",
            "",
            f'Produced by `{command}` (see README.md, "Benchmark").',
            "",
            *machine(root),
            f"- data: 5 {TIMES} {n.rows} FAC rows (clients: {n.clients_mib:.0f} MiB), "
            f"then 5 {TIMES} {double.rows} (clients: {double.clients_mib:.0f} MiB)",
            "",
            "Wall times of `manage.py` child processes, Django's start-up included; ratios are to the limit's "
            "first pass at the same size unless the row says otherwise. One run each (c.: the median of "
            f"{IDLE_REPEATS}) on a shared machine: read the ratios, not the seconds.",
            "",
            markdown_table([*rows_at_n(n), *rows_at_2n(n, double)]),
            "",
        ]
    )


# -- Main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="FAC rows per table (default 100000)")
    parser.add_argument("--keep", action="store_true", help="keep the bench_* databases and the bench_reader user")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.md", help="the markdown report")
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
    env = opsync_environment(reader_password, log_file)
    setup_django(env)
    root = connect()
    try:
        figures = measure_at(root, args.rows, reader_password, env)
        double = measure_at_double(root, 2 * args.rows, reader_password, env)
        text = report(root, figures, double, command_line())
        print("\n" + text)
        args.output.write_text(text, encoding="utf-8")
        print(f"written to {args.output}")
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept: databases {FAC_DB}, {OPS_DB}, {LIMIT_DB}, user {READER}; sync log {log_file}")
        else:
            drop_everything(root)
            log_file.unlink(missing_ok=True)
        root.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
