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
  longest), then an idle minute: the rows the FAC reader reads meanwhile (its per-user
  statistics, `SET GLOBAL userstat = 1`: its own, on a shared server too), the runs recorded,
  the transactions left open, the watcher's CPU time and memory;
- with `--scale ROWS`, the full syncs, the no-change run and its floor and `--verify` again at
  ROWS a table, against the same targets, with the memory compared.

Each figure is checked against its target; the whole is printed and written as markdown.

    .venv/bin/python bench/run.py [--rows N] [--scale ROWS] [--only adoption|watch|looking] [--keep] [--output FILE]

It creates and drops the databases bench_fac, bench_ops and bench_limit and the user
bench_reader on 127.0.0.1:3306 (root, empty password); --keep leaves them for a look.

In parts: this file is the command line; bench/measure.py what is measured, bench/report.py
the targets and the report, bench/servers.py the servers and child processes they stand on,
bench/queries.py every statement sent.
"""

import argparse
import os
import secrets
import shlex
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # as in bench/servers.py, which needs the virtualenv's packages
PYTHON = ROOT / ".venv" / "bin" / "python"


def reexec_in_virtualenv() -> None:
    """`python bench/run.py` from a shell without the virtualenv: start again inside it."""
    if Path(sys.prefix).resolve() != PYTHON.parent.parent.resolve() and PYTHON.exists():
        os.execv(PYTHON, [str(PYTHON), *sys.argv])  # noqa: S606


reexec_in_virtualenv()
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

from bench import queries  # noqa: E402
from bench.looking import looking_rows, measure_looking  # noqa: E402
from bench.measure import (  # noqa: E402
    measure_adoption_only,
    measure_at,
    measure_at_double,
    measure_at_scale,
    measure_watch_only,
)
from bench.queries import FAC_DB, LIMIT_DB, OPS_DB  # noqa: E402
from bench.report import adoption_rows, cost_rows, limit_rows, markdown_table, report  # noqa: E402
from bench.servers import READER, BenchError, connect, drop_everything, opsync_environment  # noqa: E402
from bench.upgrade import measure_upgrade  # noqa: E402

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
        choices=["adoption", "watch", "looking", "upgrade"],
        help="only this part (adoption: g.; watch: the watcher's cost; looking: what looking costs FAC; "
        "upgrade: an OPS made by the release --from, upgraded), at --rows",
    )
    parser.add_argument("--from", dest="revision", metavar="REV", help="with --only upgrade: the earlier release")
    parser.add_argument(
        "--scale", type=int, metavar="ROWS", help="then the full syncs, the no-change run and --verify at ROWS a table"
    )
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if (args.only == "upgrade") != bool(args.revision):
        parser.error("--only upgrade needs --from REV, and --from goes with --only upgrade")
    return args


def command_line() -> str:
    python = Path(sys.executable)
    shown = python.relative_to(ROOT) if python.is_relative_to(ROOT) else python
    return f"{shown} {shlex.join(sys.argv)}"


def setup_django(env: dict[str, str]) -> None:
    """The bench reads the mapping from syncapp; it configures Django like its children."""
    os.environ.update(env)
    django.setup()


def part(args: argparse.Namespace, root, reader_password: str, env: dict[str, str]) -> str:
    """The one part `--only` asks for, as markdown."""
    if args.only == "adoption":
        figures = measure_adoption_only(root, args.rows, reader_password, env)
        return markdown_table([*limit_rows(figures), *adoption_rows(figures)])
    if args.only == "watch":
        return markdown_table(cost_rows(measure_watch_only(root, args.rows, reader_password, env), args.rows))
    if args.only == "upgrade":
        return markdown_table(measure_upgrade(root, args.rows, reader_password, env, args.revision))
    lines = ["| look | FAC rows read | SELECTs + other statements |", "| --- | --- | --- |"]
    costs = measure_looking(root, args.rows, reader_password, env)
    lines += [f"| {what} | {read} | {sent} |" for what, read, sent in looking_rows(costs, args.rows)]
    return "\n".join(lines)


def shown(text: str, output: Path | None) -> None:
    print("\n" + text)
    if output:
        output.write_text(text + "\n", encoding="utf-8")


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
        if args.only:
            shown(part(args, root, reader_password, env), args.output)
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
