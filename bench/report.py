"""The benchmark's targets and its report: each figure of bench/measure.py against its bound, as
markdown rows.
"""

import os
import platform
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import MySQLdb

from bench import queries
from bench.measure import (
    IDLE_REPEATS,
    LARAVEL_SAMPLE,
    WATCH_IDLE_SECONDS,
    WATCH_INTERVAL,
    CostFigures,
    Figures,
    WatchFigures,
)
from bench.servers import MIB, NONE, TIMES, ChildRun, execute

TABLES = len(queries.FAC_ROWS)  # the five and the declared one

# The targets, as ratios to the limit (docs/architecture.md, "Benchmark").
FULL_MAX_LIMITS = 4.0
LARAVEL_MIN_SPEEDUP = 30.0
IDLE_MAX_FLOORS = 1.3  # no-change work, to FAC's own aggregate pass over every table
IDENTICAL_MAX_SECOND_PASSES = 1.0
RSS_MAX_MIB = 250.0
RSS_MAX_GROWTH = 1.10
WATCH_P95_MAX = 3.0  # seconds from the FAC commit to the row right in OPS
WATCH_IDLE_MAX_SHARE = 0.01  # rows the server reads for an idle watcher, per minute, to one table's rows
COST_MAX_READ_SHARE = 0.01  # with the index: rows the server reads per single-row change, to one table's rows
COST_MAX_BUSY = 0.25  # without it: the share of the time FAC spends in opsync's scans


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
            f"h. watcher idle for {WATCH_IDLE_SECONDS} s: rows the FAC reader read (its per-user statistics)",
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
        found.append(Row("w. … rows the FAC reader read per change (idle rate off)", f"{f.reads_per_change:.0f} rows",
                         f"{share:.2%} of a table", target=read_target))  # fmt: skip
        found.append(
            Row(
                "w. … share of the time FAC spent in opsync's scans",
                f"{f.busy:.1%}",
                target=Target(f"≤ {COST_MAX_BUSY:.0%}", f.busy, COST_MAX_BUSY),
            )
        )
    return found
