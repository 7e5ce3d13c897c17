"""syncapp/engine/plan.py: the pure parts of planning."""

from syncapp.engine.plan import merge_ranges


def test_consecutive_range_keys_are_merged():
    assert merge_ranges([9, 3, 5, 4], 1000) == [(3000, 6000), (9000, 10000)]
    assert merge_ranges([0], 10) == [(0, 10)]
    assert merge_ranges([], 1000) == []
