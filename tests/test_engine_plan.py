"""syncapp/engine/plan.py: the pure parts of planning."""

from syncapp.engine.plan import ranges_merge


def test_consecutive_range_keys_are_merged():
    assert ranges_merge([9, 3, 5, 4], 1000) == [(3000, 6000), (9000, 10000)]
    assert ranges_merge([0], 10) == [(0, 10)]
    assert ranges_merge([], 1000) == []
