"""Planning a table's run: what to read from FAC, what to copy whole, which rows are gone.

A plan is a sequence of steps, produced as the run goes (a step may depend on what the
previous ones wrote), and carried out by engine/table.py:

- incremental (a cursor exists): one aggregate scan per side, the two servers at once, gives
  per range of 1 000 ids the sums of the ids, and the lowest and highest id of the FAC rows
  changed since the cursor less the look-back window: those stretches are read, in one
  statement (the look-back's rows read again compare equal and are not rewritten); ranges whose id
  sums differ give the new ids (whatever their updated_at: NULL, zero date, committed late)
  and the ids hard-deleted in FAC. Rows OPS refused last time are read again.
- targeted (the watcher's early syncs, syncapp/running/watch.py): only what a change can have touched, at
  a cost that follows the change, not the table: the rows whose updated_at is in the look-back
  window (a range of FAC's index on updated_at where it has one, else a scan), and the ids above
  FAC's highest id when the watcher last synced the table (a range of the primary key), each
  compared with OPS by id. Hard deletes, rows with a NULL or late updated_at below that id are
  left to the periodic incremental run, which the watcher still runs: hints are never trusted.
- full (--force, or the first run): every row compared through range checksums
  (syncapp/engine/checksums.py); only ranges whose checksums differ are read. Ranges the mirror has
  nothing of are copied whole.

Each plan is made in two parts, as Django's migrate makes its plan from the graph it loaded: what
must be asked of the servers first (`incremental_plan`, `targeted_plan`, `full_plan`: the aggregate
pass, the changed ids, the checksums), then the steps, computed from those figures alone by pure
functions (`incremental_steps`, `targeted_steps`, `first_copy_steps`, `full_steps`) that the tests
call without a database.
"""

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from syncapp.config.mapping import TableMapping
from syncapp.engine.checksums import CHUNK, ChunkComparison, TableComparison, differing_keys
from syncapp.sql import rows, sums
from syncapp.sql.execute import in_parallel

ID_CHUNK = 1000  # ids per range of the incremental id sums


@dataclass(frozen=True)
class ReadChanged:
    """FAC rows whose updated_at is at or after `since`, in these id ranges [low, high)."""

    since: datetime
    ranges: list[tuple[int, int]]


@dataclass(frozen=True)
class ReadIds:
    """FAC rows by id: new, different, or refused by OPS last time."""

    ids: list[int]


@dataclass(frozen=True)
class ReadRange:
    """FAC rows by a range of ids [low, high) (high None: from low on), compared with OPS row by row."""

    low: int
    high: int | None


@dataclass(frozen=True)
class CompareIds:
    """Id ranges whose id sums differ: the ids only FAC has there are read (new rows, whatever their
    updated_at: NULL, zero date, committed late), those only the mirror has are marked gone."""

    ranges: list[tuple[int, int]]


@dataclass(frozen=True)
class CopyRange:
    """An id range [low, high) the mirror has nothing of: copied whole, nothing to compare."""

    low: int
    high: int


@dataclass(frozen=True)
class MarkGone:
    """Mirror rows whose ids FAC no longer has: kept, marked deleted."""

    ids: list[int]


@dataclass(frozen=True)
class Unchanged:
    """Rows known identical on both sides, counted without being read."""

    rows: int


Step = ReadChanged | ReadIds | ReadRange | CompareIds | CopyRange | MarkGone | Unchanged


@dataclass(frozen=True)
class FacSeen:
    """What a run learnt of FAC's table in passing: its rows and its newest updated_at (naive UTC)."""

    rows: int
    newest: datetime | None


@dataclass
class Plan:
    """What a table's run will do, and what planning learnt: how many OPS rows were live before (the
    mass-delete guard's measure), how many rows it will compare (None: unknown), the newest FAC
    updated_at it knows of (None: the cursor follows the rows read), FAC's highest id before anything
    was read (adopted tables), what finding the changes cost FAC (None: a full run) and what it saw of
    FAC in passing (None: it did not look at the whole table)."""

    steps: Iterable[Step]
    full: bool = False
    live_before: int = 0
    total: int | None = None
    newest: datetime | None = None
    fac_high_id: int | None = None
    scan_seconds: float | None = None
    fac_seen: FacSeen | None = None


def timed(function, *args, **kwargs) -> tuple:
    """function(…)'s result, then the seconds it took: what FAC spent on a run's scan."""
    started = time.monotonic()
    return function(*args, **kwargs), time.monotonic() - started


def ranges_merge(keys: Iterable[int], chunk: int) -> list[tuple[int, int]]:
    """Consecutive range keys merged: [3, 4, 5, 9] → [(3000, 6000), (9000, 10000)] for chunk 1000."""
    merged: list[tuple[int, int]] = []
    for key in sorted(keys):
        low, high = key * chunk, (key + 1) * chunk
        if merged and merged[-1][1] == low:
            merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


# -- The steps, from figures alone ------------------------------------------------------------


def incremental_steps(*, since: datetime, retry_ids: list[int], fac: sums.IdSummary, ops: sums.IdSummary) -> list[Step]:
    """An incremental run's steps, from both sides' id sums: where in each range the rows changed
    since `since` lie (from the lowest of their ids to the highest), the rows OPS refused last time,
    and the ranges whose ids differ."""
    return [
        ReadChanged(since, [(low, high + 1) for _, (low, high) in sorted(fac.changed.items())]),
        ReadIds(retry_ids),
        CompareIds(ranges_merge(differing_keys(fac.sums, ops.sums), ID_CHUNK)),
    ]


def targeted_steps(*, changed_ids: list[int], retry_ids: list[int], after_id: int) -> list[Step]:
    """A watch run's steps: the rows changed in the look-back window, the refused ones, the new ids."""
    return [ReadIds(changed_ids), ReadIds(retry_ids), ReadRange(after_id + 1, None)]


def first_copy_steps(*, total: int, low: int | None, high: int | None) -> list[Step]:
    """Into an empty mirror: FAC's extent copied whole, nothing to compare."""
    return [CopyRange(low, high + 1)] if total and low is not None and high is not None else []


def full_steps(chunks: Iterable[ChunkComparison], *, vanished: set[int]) -> Iterator[Step]:
    """A full run's steps, range by range as the comparison goes (its memory does not grow with the
    table): identical rows counted, differing and missing ones read, ranges the mirror has nothing of
    copied whole at the end, and the ids gone from FAC marked, with those known to have vanished."""
    gone: list[int] = []
    new_ranges: list[int] = []
    for chunk in chunks:
        yield Unchanged(chunk.equal)
        if chunk.ops_empty:
            new_ranges.append(chunk.low // CHUNK)
        else:
            yield ReadIds(chunk.missing + chunk.differing)
        gone += chunk.extra
    for low, high in ranges_merge(new_ranges, CHUNK):
        yield CopyRange(low, high)
    # Rows known to have vanished are left out of the comparison; marking them again
    # repairs one that was made live in OPS by hand (a no-op for the others).
    yield MarkGone(gone + sorted(vanished))


# -- What planning asks of the servers --------------------------------------------------------


def incremental_plan(mapping: TableMapping, *, since: datetime, retry_ids: list[int]) -> Plan:
    """One aggregate scan per side, the two servers at once: FAC's in this thread, on the run's one FAC
    connection (another thread would open another, whose set-up FAC serves for nothing), OPS's beside it."""
    ops, (fac, scan_seconds) = in_parallel(
        lambda: sums.id_sums(mapping.ops_compared, chunk=ID_CHUNK, live=True),
        lambda: timed(sums.id_sums, mapping.fac, chunk=ID_CHUNK, since=since),
    )
    return Plan(
        incremental_steps(since=since, retry_ids=retry_ids, fac=fac, ops=ops),
        live_before=sum(ops.counts.values()),
        fac_high_id=rows.highest_id(mapping.fac) if mapping.adopted else None,
        scan_seconds=scan_seconds,
        fac_seen=FacSeen(fac.rows, fac.newest),
    )


def targeted_plan(mapping: TableMapping, *, since: datetime, retry_ids: list[int], after_id: int) -> Plan:
    """The rows whose updated_at is in the look-back window: a range of FAC's index on it where FAC has
    one, else a scan (`scan_seconds` says what it cost). It marks no row deleted: the mass-delete guard
    has nothing to measure, and it reads what changed, not the table."""
    changed_ids, scan_seconds = timed(rows.ids_changed_since, mapping.fac, since)
    return Plan(
        targeted_steps(changed_ids=changed_ids, retry_ids=retry_ids, after_id=after_id),
        fac_high_id=rows.highest_id(mapping.fac) if mapping.adopted else None,
        scan_seconds=scan_seconds,
    )


def full_plan(mapping: TableMapping, *, vanished: set[int]) -> Plan:
    """Every row compared; into an empty mirror, FAC's extent is enough. `vanished` is the writer's own
    set: a row restored during the run leaves it."""
    live_before = rows.live_count(mapping.ops_compared)
    if not rows.has_rows(mapping.ops):
        total, low, high, newest = rows.summary(mapping.fac)
        steps: Iterable[Step] = first_copy_steps(total=total, low=low, high=high)
        high_id = high
    else:
        high_id = rows.highest_id(mapping.fac) if mapping.adopted else None
        comparison = TableComparison(mapping)
        total, newest = comparison.fac_rows, comparison.fac_newest
        steps = full_steps(comparison.chunks(), vanished=vanished)
    return Plan(steps, full=True, live_before=live_before, total=total, newest=newest, fac_high_id=high_id,
                fac_seen=FacSeen(total or 0, newest))  # fmt: skip


def ids_differing(mapping: TableMapping, ranges: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """(ids only FAC has, ids only the mirror's rows still in FAC have) in these ranges. Rows already
    known to have vanished are left out of the mirror's side, so that their range does not differ on
    every run."""
    only_fac: set[int] = set()
    only_ops: set[int] = set()
    for low, high in ranges:
        fac_ids, ops_ids = rows.ids_between(mapping.fac, low, high), rows.ids_between(mapping.ops_compared, low, high)
        only_fac |= fac_ids - ops_ids
        only_ops |= ops_ids - fac_ids
    return sorted(only_fac), sorted(only_ops)
