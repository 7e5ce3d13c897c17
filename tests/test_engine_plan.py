"""syncapp/engine/plan.py: a plan's steps computed from figures alone, without a database.

What planning asks of the servers (the aggregate pass, the checksums) is read first; the steps are
then a pure function of those figures, as Django's migration_plan() is of the graph it loaded.
"""

from datetime import datetime

from syncapp.engine.checksums import ChunkComparison
from syncapp.engine.plan import (
    CompareIds,
    CopyRange,
    MarkGone,
    ReadChanged,
    ReadIds,
    ReadRange,
    Unchanged,
    first_copy_steps,
    full_steps,
    incremental_steps,
    ranges_merge,
    targeted_steps,
)
from syncapp.sql.sums import IdSummary

SINCE = datetime(2026, 12, 1, 8, 50)


def test_consecutive_range_keys_are_merged():
    assert ranges_merge([9, 3, 5, 4], 1000) == [(3000, 6000), (9000, 10000)]
    assert ranges_merge([0], 10) == [(0, 10)]
    assert ranges_merge([], 1000) == []


def test_an_incremental_run_reads_where_the_changes_lie_and_compares_the_ranges_whose_ids_differ():
    same = (1000, 499_500, 332_833_500, 0)
    fac = IdSummary(
        sums={0: same, 1: (999, 1, 2, 3), 2: same, 3: same, 7: (1, 7000, 1, 7000)},
        counts={},
        changed={3: (3010, 3010), 2: (2005, 2980), 7: (7000, 7000)},  # lowest and highest changed id
    )
    ops = IdSummary(sums={0: same, 1: (1000, 1, 2, 3), 2: same, 3: same, 5: (3, 1, 1, 1)}, counts={})
    steps = incremental_steps(since=SINCE, retry_ids=[42, 77], fac=fac, ops=ops)
    assert steps == [
        ReadChanged(SINCE, [(2005, 2981), (3010, 3011), (7000, 7001)]),  # from the lowest changed id to the highest
        ReadIds([42, 77]),  # refused by OPS last time: read again
        CompareIds([(1000, 2000), (5000, 6000), (7000, 8000)]),  # one id gone, a range gone, a range new
    ]


def test_nothing_changed_nothing_read():
    same = {0: (3, 6, 14, 0)}
    steps = incremental_steps(since=SINCE, retry_ids=[], fac=IdSummary(same, {}), ops=IdSummary(same, {0: 3}))
    assert steps == [ReadChanged(SINCE, []), ReadIds([]), CompareIds([])]


def test_a_watch_run_reads_what_changed_the_refused_rows_and_the_new_ids():
    assert targeted_steps(changed_ids=[5, 9], retry_ids=[3], after_id=120) == [
        ReadIds([5, 9]),
        ReadIds([3]),
        ReadRange(121, None),
    ]


def test_a_first_copy_copies_facs_extent_whole_and_an_empty_fac_nothing():
    assert first_copy_steps(total=3, low=10, high=2500) == [CopyRange(10, 2501)]
    assert first_copy_steps(total=0, low=None, high=None) == []


def test_a_full_run_counts_reads_copies_and_marks_range_by_range():
    vanished = {9000}
    chunks = [
        ChunkComparison(0, 1000, equal=998, differing=[17], extra=[18]),
        ChunkComparison(1000, 2000, missing=[1001, 1500]),  # the mirror has nothing here: copied whole
        ChunkComparison(2000, 3000, missing=[2002]),
        ChunkComparison(3000, 4000, equal=1000),
        ChunkComparison(4000, 5000, equal=3, missing=[4004]),
    ]
    planned = full_steps(iter(chunks), vanished=vanished)
    steps = [next(planned) for _ in range(9)]
    vanished.add(9001)  # the writer's own set, which the run grows: the last step reads it at the end
    steps.append(next(planned))
    assert steps[:-1] == [
        Unchanged(998),
        ReadIds([17]),
        Unchanged(0),
        Unchanged(0),
        Unchanged(1000),
        ReadIds([]),  # nothing to read there: the writer reads nothing for it
        Unchanged(3),
        ReadIds([4004]),
        CopyRange(1000, 3000),
    ]
    assert steps[-1] == MarkGone([18, 9000, 9001])
