"""What the benchmark measures: each part (a. to h., w.) on the servers of bench/servers.py, its
figures gathered in dataclasses that bench/report.py puts against their targets.
"""

import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import MySQLdb

from bench import queries
from bench.queries import ADOPT_DB, FAC_DB, LIMIT_DB, OPS_DB
from bench.servers import (
    PYTHON,
    READER,
    ROOT,
    TIMES,
    BenchError,
    ChildRun,
    change_one_percent,
    check_mirror_complete,
    connect,
    copy_at_the_limit,
    create_fac,
    create_limit_tables,
    execute,
    fill_fac,
    laravel_rate,
    mirrored_columns,
    one_change,
    opsync,
    process_cpu_seconds,
    process_rss_mib,
    recreate_databases,
    run_manage,
    settle,
    table_mib,
    timed,
    total_reads,
    wait_until,
)

LARAVEL_SAMPLE = 2000
IDLE_REPEATS = 3
# The watcher (sync_from_facturation --watch), at its default interval.
WATCH_INTERVAL = 2.0
WATCH_CHANGES = 50
WATCH_IDLE_SECONDS = 60
# `--only watch`: the watcher's cost per change, without and with an index on FAC's updated_at.
COST_CHANGES = 24


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

    from syncapp.config.mapping import table_names, tables_resolve
    from syncapp.engine.plan import ID_CHUNK
    from syncapp.sql import sums

    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=10)
    resolved = tables_resolve(table_names())[0]  # FAC's schema, read before the clock starts
    connections.close_all()  # the pass connects, as a run does
    with timed() as elapsed:
        for mapping in resolved:
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
