"""Upgrading copies nothing again (`--only upgrade --from REV`): an OPS built and synced by an earlier
release (REV, a commit of this repository, checked out in a temporary worktree and run with the same
virtualenv), its six tables of --rows rows (the five and the declared `navires`), then this code's
`migrate`, a run and `--verify`. The run must write no row, `--verify` must exit 0, and every table of
OPS must hold what it held.
"""

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import MySQLdb

from bench import queries
from bench.measure import change_one_percent
from bench.report import Row, Target
from bench.servers import (
    NONE,
    ROOT,
    TIMES,
    create_fac,
    execute,
    fill_fac,
    opsync,
    recreate_databases,
    run_manage,
)


@contextmanager
def release_checked_out(revision: str) -> Iterator[Path]:
    """The earlier release's tree, apart from this one; removed after."""
    folder = Path(tempfile.mkdtemp(prefix="opsync-release-"))
    git = ["git", "-C", str(ROOT)]
    subprocess.run([*git, "worktree", "add", "--detach", "--quiet", str(folder), revision], check=True)  # noqa: S603
    try:
        yield folder
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(folder)], check=True)  # noqa: S603


def ops_counts(root: MySQLdb.Connection) -> dict[str, tuple[int, int]]:
    """Each mirror's rows and highest id in OPS."""
    found = {}
    for table in queries.FAC_ROWS:
        count, highest = execute(root, queries.rows_and_highest_id(queries.OPS_DB, table))[0]
        found[table] = (int(count), int(highest or 0))
    return found


def measure_upgrade(root: MySQLdb.Connection, rows: int, reader_password: str, env: dict, revision: str) -> list[Row]:
    print(f"creating {queries.FAC_DB} with {len(queries.FAC_ROWS)} {TIMES} {rows} rows…", flush=True)
    recreate_databases(root)
    create_fac(root, reader_password)
    fill_fac(root, rows)
    with release_checked_out(revision) as earlier:
        print(f"the release {revision}: migrate, a first copy, 1 % changed, a run…", flush=True)
        for arguments in (["migrate", "--noinput"], ["sync_from_facturation"]):
            opsync(arguments, env, f"{revision}: {' '.join(arguments)}", cwd=earlier)
        change_one_percent(root)
        opsync(["sync_from_facturation"], env, f"{revision}: a run after 1 % changed", cwd=earlier)
    before = ops_counts(root)
    print("this code: migrate, a run, --verify…", flush=True)
    migrate = opsync(["migrate", "--noinput"], env, "migrate")
    run = opsync(["sync_from_facturation"], env, "a run")
    run_id, written, status = execute(root, queries.last_run_written())[0]
    verify = run_manage(["sync_from_facturation", "--verify"], env)
    print(f"  --verify: exit {verify.returncode} — {verify.summary}", flush=True)
    kept = ops_counts(root) == before
    return [
        Row(f"u. `migrate` over the OPS of {revision}", f"{migrate.wall:.2f} s"),
        Row(
            f"u. … then a run (n° {run_id}, {status}): rows written",
            f"{run.wall:.2f} s",
            f"{written} rows",
            target=Target("0 rows", int(written), 0),
        ),
        Row(
            "u. … then `--verify`: exit code",
            f"{verify.wall:.2f} s",
            str(verify.returncode),
            target=Target("0", verify.returncode, 0),
        ),
        Row(
            "u. … each mirror's rows and highest id, before and after",
            NONE,
            "the same" if kept else f"{before} → {ops_counts(root)}",
            target=Target("the same", 0 if kept else 1, 0),
        ),
    ]
