"""Faults at random moments, each many times, on a MariaDB of the script's own (issue 28's note).

Not a test: it takes most of an hour at the issue's size. Its children run the code of the tree it
is in: run it from a checkout nobody edits meanwhile (a `git worktree`), or a half-saved file shows
as a traceback. It starts a private `mariadbd` (a free
port, its data in a temporary folder: the shared server is never killed), builds FAC there (the
benchmark's six tables, N rows each, bench/queries.py) with its reader, migrates OPS beside it,
syncs once, then provokes each fault `--times` times at a random moment and lets opsync recover as
it would in production (the next cron run, the watcher restarted by systemd):

- kill-first-copy, kill-force, kill-incremental: kill -9 of `sync_from_facturation` in the middle of
  a first copy (OPS made afresh), of `--force`, of an incremental run over FAC changes;
- sigterm: SIGTERM to a one-shot run (`systemctl stop`, a machine shutting down): it must end within
  seconds, its record "stopped" or finished, nothing staged left;
- kill-watcher: kill -9 of `--watch` while FAC changes continuously: `--status` must stop calling it
  active within its heartbeat interval plus 10 s (the seconds it took are reported);
- server-run, server-watcher: the MariaDB server killed (-9) in the middle of a run, or under the
  watcher, then started again;
- row-lock: an application session holding OPS rows (SELECT … FOR UPDATE) for up to 8 s while a run
  must write them (SYNC_LOCK_WAIT_TIMEOUT=2): the run's words must be opsync's, not MySQL's English;
- late-commit: a FAC transaction writing rows, left open longer than the look-back (5 s here) while
  runs go on, then committed; the reader has the PROCESS grant and SYNC_LOOKBACK_OPEN_TRANSACTIONS;
- disk-full: OPS on a second private server whose tablespace cannot grow (24 MB): the first copy
  runs out of space, the server is killed at a random moment after that half the time (InnoDB stops
  on a full disk); opsync must name the disk; then space is freed (the tablespace may grow) and
  the next run copies everything;
- soft-deletes: 6, 60 or 600 rows of a table soft-deleted at once under the watcher.

After each time: an oracle of the script's own (every row of both sides compared column by column
in Python, no opsync code) must find 0 differences; no output may hold a traceback; no run record
may be left "running" nor the sync's lock held once the processes are gone; no run may have refused
a "mass delete" (none of these faults deletes rows en masse: a guard that fires misread a count).
At the end of each fault, opsync's own `--verify` must exit 0.

    .venv/bin/python bench/faults.py [--rows 50000] [--times 20] [--only FAULT ...] [--seed N] [--output FILE]
"""

import argparse
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
if Path(sys.prefix).resolve() != PYTHON.parent.parent.resolve() and PYTHON.exists():
    os.execv(PYTHON, [str(PYTHON), *sys.argv])  # noqa: S606
sys.path.insert(0, str(ROOT))

import MySQLdb  # noqa: E402

from bench import queries  # noqa: E402
from bench.queries import FAC_DB, OPS_DB  # noqa: E402
from bench.servers import (  # noqa: E402
    MYSQL,
    READER,
    BenchError,
    connect,
    create_fac,
    execute,
    fill_fac,
    opsync_environment,
    recreate_databases,
)
from tests.servers import PrivateServer  # noqa: E402

TABLES = list(queries.FAC_ROWS)  # the five and the declared navires
TRACEBACKS = ("Traceback", "Exception ignored")
LOCK_NAME = f"opsync.sync.{OPS_DB}"
WATCH_ENV = {"SYNC_WATCH_INTERVAL": "0.5", "SYNC_INTERVAL_MINUTES": "59"}
LONG_TRANSACTION_TABLE = "navires"


@dataclass
class Tally:
    """One fault's count over its times: each of the four must stay 0."""

    fault: str
    times: int = 0
    differences: int = 0
    tracebacks: int = 0
    stuck: int = 0
    guards: int = 0
    verified: bool | None = None  # --verify at the end exited 0
    seconds: list[float] = field(default_factory=list)  # what the fault measures (see its note)
    note: str = ""
    odd: list[str] = field(default_factory=list)  # the first words of anything wrong

    def wrong(self, what: str) -> None:
        if len(self.odd) < 5:
            self.odd.append(what[:300])


# -- Processes ---------------------------------------------------------------------------------


class Child:
    """`manage.py …` in a process of its own, its output in a file (a pipe could fill and block it)."""

    def __init__(self, arguments: list[str], env: dict[str, str]):
        self.output_file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed in finish)
        self.started = time.monotonic()
        self.process = subprocess.Popen(  # noqa: S603
            [str(PYTHON), "manage.py", *arguments],
            cwd=ROOT,
            env=env,
            stdout=self.output_file,
            stderr=subprocess.STDOUT,
        )

    def signal(self, number: int) -> None:
        with suppress(ProcessLookupError):
            self.process.send_signal(number)

    def finish(self, timeout: float = 600) -> tuple[int, str]:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
            self.output_file.seek(0, os.SEEK_END)
            self.output_file.write(f"\n[bench: still running after {timeout} s, killed]\n")
        self.output_file.seek(0)
        output = self.output_file.read()
        self.output_file.close()
        return code, output


def manage(arguments: list[str], env: dict[str, str], timeout: float = 600) -> tuple[int, str, float]:
    child = Child(arguments, env)
    code, output = child.finish(timeout)
    return code, output, time.monotonic() - child.started


class Churn(threading.Thread):
    """The billing application at work: a change every few tens of milliseconds, each committed,
    on a connection of its own that comes back when the server does."""

    def __init__(self, lab: "Lab", rng: random.Random, hard_deletes: bool = False):
        super().__init__(daemon=True)
        self.lab, self.rng, self.hard_deletes = lab, random.Random(rng.random()), hard_deletes
        self.done = threading.Event()
        self.count = 0

    def run(self) -> None:
        connection = None
        while not self.done.is_set():
            try:
                connection = connection or connect()
                change(connection, self.rng, self.lab.rows, self.hard_deletes)
                self.count += 1
            except MySQLdb.Error:
                connection = None
                time.sleep(0.2)
            time.sleep(self.rng.uniform(0.02, 0.2))
        if connection is not None:
            connection.close()

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=30)


# -- FAC changes, as the billing application makes them --------------------------------------


def change(
    connection: MySQLdb.Connection, rng: random.Random, rows: int, hard_deletes: bool = True, tables=TABLES
) -> None:
    """One change, in one of these tables: an update (most often), an insert (of a client), a soft
    delete, a restore or a hard delete."""
    kinds = ["update", "insert", "soft", "restore", "hard"]
    kind = rng.choices(kinds, [60, 15 if "clients" in tables else 0, 12, 8, 5 if hard_deletes else 0])[0]
    table = "clients" if kind == "insert" else rng.choice(tables)
    name = f"Faute {secrets.token_hex(4)} é🚢"
    if kind == "insert":
        execute(connection, queries.watch_insert(), [name])
        return
    if kind == "restore":
        execute(connection, queries.restore_one(table))
        return
    found = execute(connection, queries.live_row(table), [rng.randint(1, rows)])
    if not found:
        return
    row_id = found[0][0]
    if kind == "update":
        execute(connection, queries.watch_update(table), [name, row_id])
    elif kind == "soft":
        execute(connection, queries.watch_soft_delete(table), [row_id])
    else:
        execute(connection, queries.hard_delete(table), [row_id])


def changes(count: int, rng: random.Random, rows: int, tables=TABLES) -> None:
    with closing(connect()) as connection:
        for _ in range(count):
            change(connection, rng, rows, tables=tables)


# -- The oracle: FAC and OPS compared row by row, without opsync's code ----------------------


def connect_to(port: int) -> MySQLdb.Connection:
    """As bench/servers.py's connect(), to another server of this machine."""
    return MySQLdb.connect(
        **(MYSQL | {"port": port}), charset="utf8mb4", autocommit=True, init_command="SET time_zone = '+00:00'"
    )


def columns(connection: MySQLdb.Connection, database: str, table: str) -> list[str]:
    return [row[0] for row in execute(connection, queries.table_columns(), [database, table])]


def oracle(fac: MySQLdb.Connection, ops: MySQLdb.Connection) -> list[str]:
    """Every difference between FAC and its mirror: a FAC row missing or different in OPS (its
    deleted_at only as deleted or not, but FAC's value where FAC soft-deleted it), and a row gone
    from FAC that OPS still holds live."""
    found: list[str] = []
    for table in TABLES:
        ops_columns = set(columns(ops, OPS_DB, table))
        common = [c for c in columns(fac, FAC_DB, table) if c in ops_columns and c != "id"]
        fac_rows = {row[0]: row[1:] for row in execute(fac, queries.every_row(FAC_DB, table, common))}
        ops_rows = {row[0]: row[1:] for row in execute(ops, queries.every_row(OPS_DB, table, common))}
        deleted = common.index("deleted_at")
        for row_id, row in fac_rows.items():
            mirror = ops_rows.get(row_id)
            if mirror is None:
                found.append(f"{table} #{row_id}: not in OPS")
                continue
            for column, theirs, ours in zip(common, row, mirror, strict=True):
                if theirs != ours:
                    found.append(f"{table} #{row_id}: {column} {theirs!r} in FAC, {ours!r} in OPS")
        found += [
            f"{table} #{row_id}: gone from FAC, live in OPS"
            for row_id, mirror in ops_rows.items()
            if row_id not in fac_rows and mirror[deleted] is None
        ]
    return found


# -- The lab: the private server, FAC, OPS, opsync's settings -----------------------------------


class Lab:
    def __init__(self, folder: Path, rows: int):
        self.folder, self.rows = folder, rows
        self.server = PrivateServer(folder / "server", "--innodb-buffer-pool-size=1G", "--max-connections=300")
        (folder / "server").mkdir(parents=True)
        self.reader_password = secrets.token_hex(16)
        self.log_file = folder / "sync.log"
        self.mapping_file = folder / "mapping.toml"
        self.mapping_file.write_text(queries.DECLARED_MAPPING, encoding="utf-8")
        self.staging_root = folder / "tmp"  # the children's TMPDIR: what they stage is looked for there
        self.staging_root.mkdir()
        self.first_copy_seconds = self.force_seconds = self.incremental_seconds = 1.0

    def start(self) -> None:
        self.server.__enter__()
        MYSQL["port"] = self.server.port  # bench/servers.py's connect() and mysql client: this server
        self.env = opsync_environment(self.reader_password, self.log_file, self.mapping_file) | {
            "DB_PORT": str(self.server.port),
            "FAC_DB_PORT": str(self.server.port),
            "LANGUAGE_CODE": "fr",
            "SYNC_MAX_DELETE_RATIO": "0.10",  # the default: a guard that fires on a misread count shows
            "SYNC_LOCK_WAIT_TIMEOUT": "2",
            "TMPDIR": str(self.staging_root),
        }
        with closing(connect()) as root:
            recreate_databases(root)
            create_fac(root, self.reader_password)
            print(f"filling FAC: {len(TABLES)} tables of {self.rows} rows…", flush=True)
            fill_fac(root, self.rows)
            execute(root, f"GRANT PROCESS ON *.* TO '{READER}'@'%'")  # for late-commit (the guide's option)
        self.first_copy_seconds = self.ops_afresh()
        print(f"  first copy: {self.first_copy_seconds:.1f} s", flush=True)
        self.force_seconds = self.must(["sync_from_facturation", "--force"])
        self.incremental_seconds = max(self.must(["sync_from_facturation"]), 0.5)
        print(f"  --force: {self.force_seconds:.1f} s; incremental: {self.incremental_seconds:.1f} s", flush=True)

    def stop(self) -> None:
        self.server.kill()

    def must(self, arguments: list[str], env: dict[str, str] | None = None) -> float:
        code, output, seconds = manage(arguments, env or self.env)
        if code != 0:
            raise BenchError(f"`manage.py {' '.join(arguments)}` exited {code}:\n{output[-3000:]}")
        return seconds

    def ops_afresh(self) -> float:
        """OPS dropped, made again by migrate, filled by a first copy; its seconds."""
        self.ops_emptied()
        return self.must(["sync_from_facturation"])

    def ops_emptied(self) -> None:
        """OPS as before its first copy: migrated, no mirror rows, no run."""
        with closing(connect()) as root:
            execute(root, f"DROP DATABASE IF EXISTS `{OPS_DB}`")
            execute(root, f"CREATE DATABASE `{OPS_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        self.must(["migrate", "--noinput"])

    def last_run(self) -> int:
        with closing(connect()) as root:
            return int(execute(root, queries.last_run_id())[0][0])

    def staged(self) -> list[Path]:
        return [path for path in self.staging_root.rglob("*") if path.is_file()]

    def judge(self, tally: Tally, outputs: list[str], since_run: int, ops_port: int | None = None) -> None:
        """After one time of a fault, every process ended: the four counts (OPS on this server, or
        on the one at ops_port)."""
        tally.times += 1
        with closing(connect()) as fac, closing(connect_to(ops_port) if ops_port else connect()) as ops:
            found = oracle(fac, ops)
            if found:
                tally.differences += 1
                tally.wrong(f"{len(found)} differences, e.g. {found[0]}")
            left = execute(ops, queries.runs_left())
            held = execute(ops, "SELECT IS_USED_LOCK(%s)", [LOCK_NAME])[0][0]
            if left or held is not None:
                tally.stuck += 1
                tally.wrong(f"left: runs {left}, lock held by {held}")
            if guards := execute(ops, queries.mass_delete_refusals(), [since_run])[0][0]:
                tally.guards += 1
                tally.wrong(f"{guards} mass-delete refusals")
        if any(mark in output for output in outputs for mark in TRACEBACKS):
            tally.tracebacks += 1
            tally.wrong(next(o for o in outputs if any(m in o for m in TRACEBACKS))[-600:])
        if self.staged():
            tally.stuck += 1
            tally.wrong(f"staged files left: {self.staged()}")

    def recover(self, tally: Tally, outputs: list[str], env: dict[str, str] | None = None) -> None:
        """The next cron run: it must succeed."""
        code, output, _ = manage(["sync_from_facturation"], env or self.env)
        outputs.append(output)
        if code != 0:
            tally.wrong(f"the next run exited {code}: {output.strip().splitlines()[-1:]}")

    def verify(self, tally: Tally) -> None:
        code, output, _ = manage(["sync_from_facturation", "--verify"], self.env)
        tally.verified = code == 0
        if code != 0:
            tally.wrong(f"--verify exited {code}: {output.strip().splitlines()[-1:]}")


@contextmanager
def watcher(lab: Lab, outputs: list[str], env: dict[str, str] | None = None) -> Iterator[Child]:
    """`--watch` once its first run is done; SIGTERM at the end (if still alive), its output kept."""
    before = lab.last_run()
    child = Child(["sync_from_facturation", "--watch"], (env or lab.env) | WATCH_ENV)
    deadline = time.monotonic() + 120
    while lab.last_run() == before and time.monotonic() < deadline and child.process.poll() is None:
        time.sleep(0.2)
    try:
        yield child
    finally:
        child.signal(signal.SIGTERM)
        outputs.append(child.finish(timeout=60)[1])


def watcher_said_active(lab: Lab) -> bool:
    _, output, _ = manage(["sync_from_facturation", "--status"], lab.env | {"LANGUAGE_CODE": "en"})
    return any(line.startswith("Watcher: active") for line in output.splitlines())


# -- The faults: each one time, at a random moment ------------------------------------------------


def caught(
    lab: Lab, rng: random.Random, *, changed: int = 0, force: bool | None = None, within: float | None = None
) -> tuple[Child, int, list[str]]:
    """FAC changed, then a run (--force or not, at random unless said) caught at a random moment of
    it: its process, the last run recorded before it, and the list of outputs to judge."""
    if changed:
        changes(changed, rng, lab.rows)
    if force is None:
        force = rng.random() < 0.5
    since = lab.last_run()
    child = Child(["sync_from_facturation", *(["--force"] if force else [])], lab.env)
    if within is None:
        within = lab.force_seconds if force else lab.incremental_seconds * 2
    time.sleep(rng.uniform(0, within))
    return child, since, []


def killed(lab: Lab, tally: Tally, child: Child, since: int, outputs: list[str]) -> None:
    """kill -9 of the run, then the next cron run, then the verdict."""
    child.signal(signal.SIGKILL)
    outputs.append(child.finish()[1])
    lab.recover(tally, outputs)
    lab.judge(tally, outputs, since)


def kill_first_copy(lab: Lab, rng: random.Random, tally: Tally) -> None:
    lab.ops_emptied()
    killed(lab, tally, *caught(lab, rng, force=False, within=lab.first_copy_seconds))


def kill_force(lab: Lab, rng: random.Random, tally: Tally) -> None:
    killed(lab, tally, *caught(lab, rng, changed=50, force=True))


def kill_incremental(lab: Lab, rng: random.Random, tally: Tally) -> None:
    killed(lab, tally, *caught(lab, rng, changed=500, force=False))


def sigterm(lab: Lab, rng: random.Random, tally: Tally) -> None:
    """The seconds from SIGTERM to the process's end."""
    child, since, outputs = caught(lab, rng, changed=200)
    child.signal(signal.SIGTERM)
    sent = time.monotonic()
    code, output = child.finish(timeout=60)
    tally.seconds.append(time.monotonic() - sent)
    outputs.append(output)
    # -15: the signal came once the run was over (its record finished), while the process ended.
    if code not in (0, 1, -signal.SIGTERM):
        tally.wrong(f"SIGTERM: exit {code}: {output[-300:]}")
    lab.recover(tally, outputs)
    lab.judge(tally, outputs, since)


@contextmanager
def busy_fac_watched(lab: Lab, rng: random.Random, tally: Tally) -> Iterator[Child]:
    """The watcher at work while FAC changes continuously, for a random while before the fault;
    after it, the next cron run and the verdict."""
    since, outputs = lab.last_run(), list[str]()
    churn = Churn(lab, rng)
    with watcher(lab, outputs) as child:
        churn.start()
        time.sleep(rng.uniform(1, 5))
        try:
            yield child
        finally:
            churn.stop()
    lab.recover(tally, outputs)
    lab.judge(tally, outputs, since)


def kill_watcher(lab: Lab, rng: random.Random, tally: Tally) -> None:
    """The seconds from kill -9 until --status no longer calls the watcher active."""
    with busy_fac_watched(lab, rng, tally) as child:
        child.signal(signal.SIGKILL)
        killed = time.monotonic()
        while watcher_said_active(lab) and time.monotonic() - killed < 60:
            time.sleep(0.5)
        tally.seconds.append(time.monotonic() - killed)


def server_run(lab: Lab, rng: random.Random, tally: Tally) -> None:
    """The seconds the run took to end once the server was killed."""
    child, since, outputs = caught(lab, rng, changed=300)
    lab.server.kill()
    died = time.monotonic()
    code, output = child.finish(timeout=120)
    tally.seconds.append(time.monotonic() - died)
    outputs.append(output)
    lines = [line for line in output.splitlines() if line.strip()]
    if code == 1 and (not lines or ("injoignable" not in lines[-1] and "perdue" not in lines[-1])):
        tally.wrong(f"server killed: exit 1 saying {lines[-1:]}")
    lab.server.start()
    lab.recover(tally, outputs)
    lab.judge(tally, outputs, since)


def server_watcher(lab: Lab, rng: random.Random, tally: Tally) -> None:
    with busy_fac_watched(lab, rng, tally) as child:
        lab.server.kill()
        time.sleep(rng.uniform(0.5, 3))
        lab.server.start()
        time.sleep(3)
        if child.process.poll() is not None:
            tally.wrong(f"the watcher ended when the server died (exit {child.process.returncode})")


def row_lock(lab: Lab, rng: random.Random, tally: Tally) -> None:
    """The seconds the application held its rows."""
    table = rng.choice(TABLES)
    with closing(connect()) as writer:
        ids = [row[0] for row in execute(writer, queries.random_ids(table, 20))]
        for row_id in ids:
            execute(writer, queries.watch_update(table), [f"Verrou {secrets.token_hex(3)}", row_id])
    since, outputs = lab.last_run(), list[str]()
    application = connect()
    execute(application, "START TRANSACTION")
    execute(application, queries.rows_locked(table, len(ids)), ids)
    held = rng.uniform(0, 8)
    release = threading.Timer(held, lambda: (execute(application, "ROLLBACK"), application.close()))
    release.start()
    code, output, _ = manage(["sync_from_facturation"], lab.env)
    release.join()
    tally.seconds.append(held)
    outputs.append(output)
    if "Lock wait timeout exceeded" in output:
        tally.wrong(f"MySQL's English in the run's words: {output[-300:]}")
    if code != 0 and "verrouillées" not in output:
        tally.wrong(f"row lock: exit {code}, without saying the rows were locked: {output[-300:]}")
    lab.recover(tally, outputs)
    lab.judge(tally, outputs, since)


def late_commit(lab: Lab, rng: random.Random, tally: Tally) -> None:
    """The seconds the FAC transaction stayed open."""
    env = lab.env | {"SYNC_LOOKBACK_SECONDS": "5", "SYNC_LOOKBACK_OPEN_TRANSACTIONS": "true"}
    since, outputs = lab.last_run(), list[str]()
    billing = connect()
    try:
        # The long transaction writes navires; the others, committed at once meanwhile, the other
        # tables (a scan of navires would wait for its locks: the billing application's, not opsync's).
        execute(billing, "START TRANSACTION")
        for _ in range(rng.randint(1, 20)):
            change(billing, rng, lab.rows, hard_deletes=False, tables=[LONG_TRANSACTION_TABLE])
        opened = time.monotonic()
        others = [table for table in TABLES if table != LONG_TRANSACTION_TABLE]
        for _ in range(rng.randint(1, 3)):  # cron's runs meanwhile, over changes committed at once
            time.sleep(rng.uniform(0, 4))
            changes(20, rng, lab.rows, tables=others)
            outputs.append(manage(["sync_from_facturation"], env)[1])
        time.sleep(rng.uniform(0, 4))
        execute(billing, "COMMIT")
        tally.seconds.append(time.monotonic() - opened)
    finally:
        billing.close()
    lab.recover(tally, outputs, env)
    lab.judge(tally, outputs, since)


def disk_full(lab: Lab, rng: random.Random, tally: Tally) -> None:
    """OPS on a server of its own whose tablespace cannot grow. The seconds after « is full »
    at which that server was killed (none: it was left up)."""
    folder = Path(tempfile.mkdtemp(prefix="disk-", dir=lab.folder))
    fixed = "--innodb-data-file-path=ibdata1:24M"
    ops = PrivateServer(folder, fixed, "--innodb-file-per-table=0")
    outputs: list[str] = []
    with ops:
        execute(ops.connect(), f"CREATE DATABASE `{OPS_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        env = lab.env | {"DB_PORT": str(ops.port)}
        lab.must(["migrate", "--noinput"], env)
        child = Child(["sync_from_facturation"], env)
        crash = rng.random() < 0.5
        while crash and not ops.logged("is full") and child.process.poll() is None:
            time.sleep(0.05)
        if crash and child.process.poll() is None:
            after = rng.uniform(0, 2)
            time.sleep(after)
            tally.seconds.append(after)
            ops.kill()
        code, output = child.finish(timeout=300)
        outputs.append(output)
        lines = [line for line in output.splitlines() if line.strip()]
        if code != 1 or not lines or "disque" not in lines[-1] or "vérifiez DB_HOST" in lines[-1]:
            tally.wrong(f"disk full: exit {code}, last line {lines[-1:]}")
        ops.kill()
        ops.start(f"{fixed}:autoextend")  # space freed: the tablespace may grow again
        lab.recover(tally, outputs, env)
        lab.judge(tally, outputs, 0, ops_port=ops.port)
    shutil.rmtree(folder, ignore_errors=True)


def soft_deletes(lab: Lab, rng: random.Random, tally: Tally) -> None:
    """The seconds until OPS had every soft delete."""
    since, outputs = lab.last_run(), list[str]()
    with watcher(lab, outputs), closing(connect()) as billing:
        count, table = rng.choice([6, 60, 600]), rng.choice(TABLES)
        ids = [row[0] for row in execute(billing, queries.random_ids(table, count, live=True))]
        execute(billing, queries.soft_delete_ids(table, len(ids)), ids)
        done = time.monotonic()
        query = queries.deleted_among(table, len(ids))
        while execute(billing, query, ids)[0][0] < len(ids) and time.monotonic() - done < 60:
            time.sleep(0.1)
        tally.seconds.append(time.monotonic() - done)
    lab.judge(tally, outputs, since)


FAULTS: dict[str, tuple[Callable[[Lab, random.Random, Tally], None], str]] = {
    "kill-first-copy": (kill_first_copy, ""),
    "kill-force": (kill_force, ""),
    "kill-incremental": (kill_incremental, ""),
    "sigterm": (sigterm, "SIGTERM to exit"),
    "kill-watcher": (kill_watcher, "kill -9 to --status no longer saying « active »"),
    "server-run": (server_run, "server killed to the run's end"),
    "server-watcher": (server_watcher, ""),
    "row-lock": (row_lock, "rows held by the application"),
    "late-commit": (late_commit, "FAC transaction open"),
    "disk-full": (disk_full, "« is full » to the server killed (half the times)"),
    "soft-deletes": (soft_deletes, "6, 60 or 600 soft deletes to all in OPS"),
}


# -- Main ------------------------------------------------------------------------------------------


def report(tallies: list[Tally], command: str) -> str:
    lines = [
        f"`{command}`",
        "",
        "| fault | times | differences | tracebacks | stuck records | misread guards | --verify "
        "| seconds: what, median / longest |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for t in tallies:
        seconds = ""
        if t.seconds:
            ordered = sorted(t.seconds)
            seconds = f"{FAULTS[t.fault][1]}: {ordered[len(ordered) // 2]:.1f} / {ordered[-1]:.1f}"
        verified = {True: "exit 0", False: "FAILED", None: "-"}[t.verified]
        counts = f"{t.differences} | {t.tracebacks} | {t.stuck} | {t.guards}"
        lines.append(f"| {t.fault} | {t.times} | {counts} | {verified} | {seconds} |")
    odd = [f"- {t.fault}: {what}" for t in tallies for what in t.odd]
    return "\n".join([*lines, "", *(["Seen:", *odd] if odd else ["Nothing else seen."])])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000, help="FAC rows per table (default 50000)")
    parser.add_argument("--times", type=int, default=20, help="times each fault is provoked (default 20)")
    parser.add_argument("--only", nargs="+", choices=list(FAULTS), help="these faults only")
    parser.add_argument("--seed", type=int, default=None, help="the random moments' seed (default: a new one)")
    parser.add_argument("--output", type=Path, help="also write the markdown report here")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else secrets.randbelow(10**6)
    rng = random.Random(seed)
    command = f".venv/bin/python bench/faults.py {' '.join(sys.argv[1:])} (seed {seed})"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: the server and its folder go too
    folder = Path(tempfile.mkdtemp(prefix="opsync-faults-"))
    lab = Lab(folder, args.rows)
    tallies: list[Tally] = []
    try:
        lab.start()
        for name in args.only or list(FAULTS):
            provoke, _ = FAULTS[name]
            tally = Tally(name)
            tallies.append(tally)
            print(f"{name}: {args.times} times…", flush=True)
            for _ in range(args.times):
                provoke(lab, rng, tally)
            lab.verify(tally)
            print(f"  {tally}", flush=True)
    except BenchError as exc:
        print(f"faults: {exc}", file=sys.stderr)
        return 1
    finally:
        lab.stop()
        text = report(tallies, command)
        print("\n" + text)
        if args.output:
            args.output.write_text(text + "\n", encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
    bad = any(t.differences or t.tracebacks or t.stuck or t.guards or t.verified is False or t.odd for t in tallies)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
