"""Planning a table's run: what to read from FAC, what to copy whole, which rows are gone.

A plan is a sequence of steps, produced as the run goes (a step may depend on what the
previous ones wrote), and carried out by engine/table.py:

- incremental (a cursor exists): one aggregate scan per side, the two servers at once, gives
  per range of 1 000 ids the sums of the ids and the number of FAC rows changed since the
  cursor less the look-back window. Ranges holding changed rows are read; ranges whose id
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
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from syncapp.config.mapping import TableMapping
from syncapp.engine.checksums import CHUNK, TableComparison, differing_keys
from syncapp.sql import rows, sums
from syncapp.sql.execute import in_parallel

ID_CHUNK = 1000  # ids per range of the incremental id sums


@dataclass(frozen=True)
class ReadChanged:
    """FAC rows whose updated_at is at or after `since`, in these id ranges."""

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


Step = ReadChanged | ReadIds | ReadRange | CopyRange | MarkGone | Unchanged


@dataclass(frozen=True)
class FacSeen:
    """What a run learnt of FAC's table in passing: its rows and its newest updated_at (naive UTC)."""

    rows: int
    newest: datetime | None


def timed(function, *args, **kwargs) -> tuple:
    """function(…)'s result, then the seconds it took: what FAC spent on a run's scan."""
    started = time.monotonic()
    return function(*args, **kwargs), time.monotonic() - started


def ranges_merge(keys: list[int], chunk: int) -> list[tuple[int, int]]:
    """Consecutive range keys merged: [3, 4, 5, 9] → [(3000, 6000), (9000, 10000)] for chunk 1000."""
    merged: list[tuple[int, int]] = []
    for key in sorted(keys):
        low, high = key * chunk, (key + 1) * chunk
        if merged and merged[-1][1] == low:
            merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


class IncrementalPlan:
    """Each plan also says how many OPS rows were live before (the mass-delete guard's measure),
    how many rows it will compare (None: unknown), the newest FAC updated_at it knows of (None:
    the cursor follows the rows read), and FAC's highest id before it read anything; and what it
    learnt of FAC in passing (`fac_seen`: its rows and newest updated_at, None when it learnt nothing)."""

    full = False
    total = None  # the rows to compare are not known in advance
    newest = None  # the cursor follows the rows read

    def __init__(self, mapping: TableMapping, *, since: datetime, retry_ids: list[int]):
        self.fac, self.ops = mapping.fac, mapping.ops_compared
        self.since, self.retry_ids = since, retry_ids
        (fac, self.scan_seconds), ops = in_parallel(
            lambda: timed(sums.id_sums, self.fac, chunk=ID_CHUNK, since=since),
            lambda: sums.id_sums(self.ops, chunk=ID_CHUNK, live=True),
        )
        self.fac_sums, self.ops_sums = fac.sums, ops.sums
        self.changed_keys = [key for key, count in fac.counts.items() if count]
        self.live_before = sum(ops.counts.values())  # the mass-delete guard's measure
        self.fac_seen = FacSeen(fac.rows, fac.newest)
        self.fac_high_id = rows.highest_id(self.fac) if mapping.adopted else None

    def steps(self) -> Iterator[Step]:
        yield ReadChanged(self.since, ranges_merge(self.changed_keys, ID_CHUNK))
        yield ReadIds(self.retry_ids)
        new_ids, gone_ids = self.id_differences()
        yield ReadIds(sorted(new_ids))
        yield MarkGone(sorted(gone_ids))

    def id_differences(self) -> tuple[set[int], set[int]]:
        """(ids only in FAC, ids only in the mirror's rows still in FAC), from the ranges whose sums differ.

        Rows already known to have vanished are left out of the mirror's sums, so that their
        range does not differ on every run.
        """
        only_fac: set[int] = set()
        only_ops: set[int] = set()
        for key in differing_keys(self.fac_sums, self.ops_sums):
            low, high = key * ID_CHUNK, (key + 1) * ID_CHUNK
            fac_ids, ops_ids = rows.ids_between(self.fac, low, high), rows.ids_between(self.ops, low, high)
            only_fac |= fac_ids - ops_ids
            only_ops |= ops_ids - fac_ids
        return only_fac, only_ops


class TargetedPlan:
    """A watch run's plan (see the module's docstring); `scan_seconds` is what finding the changed
    rows cost FAC: a scan of the table where it has no index on updated_at."""

    full = False
    total = None
    newest = None
    live_before = 0  # marks no row deleted: the mass-delete guard has nothing to measure
    fac_seen = None  # reads what changed, not the table

    def __init__(self, mapping: TableMapping, *, since: datetime, retry_ids: list[int], after_id: int):
        self.fac = mapping.fac
        self.retry_ids, self.after_id = retry_ids, after_id
        started = time.monotonic()
        self.changed_ids = rows.ids_changed_since(self.fac, since)
        self.scan_seconds = time.monotonic() - started
        self.fac_high_id = rows.highest_id(self.fac) if mapping.adopted else None

    def steps(self) -> Iterator[Step]:
        yield ReadIds(self.changed_ids)
        yield ReadIds(self.retry_ids)
        yield ReadRange(self.after_id + 1, None)


class FullPlan:
    full = True
    scan_seconds = None  # compares every row: not what a change costs

    def __init__(self, mapping: TableMapping, *, vanished: set[int]):
        self.mapping = mapping
        self.live_before = rows.live_count(mapping.ops_compared)
        self.vanished = vanished  # the writer's own set: a row restored during the run leaves it
        self.first_copy = not rows.has_rows(mapping.ops)
        if self.first_copy:  # nothing to compare: FAC's extent is enough
            self.total, self.low, self.high, self.newest = rows.summary(mapping.fac)
            self.fac_high_id = self.high
        else:
            self.fac_high_id = rows.highest_id(mapping.fac) if mapping.adopted else None
            self.comparison = TableComparison(mapping)
            self.total, self.newest = self.comparison.fac_rows, self.comparison.fac_newest
        self.fac_seen = FacSeen(self.total or 0, self.newest)

    def steps(self) -> Iterator[Step]:
        if self.first_copy:
            if self.total:
                yield CopyRange(self.low, self.high + 1)
            return
        gone: list[int] = []
        new_ranges: list[int] = []  # range keys the mirror has nothing of: copied whole at the end
        for chunk in self.comparison.chunks():
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
        yield MarkGone(gone + sorted(self.vanished))
