"""syncapp/engine/plan.py: the pure parts of planning."""

from datetime import datetime

from syncapp.engine.plan import merge_ranges, newest_datetime


def test_consecutive_range_keys_are_merged():
    assert merge_ranges([9, 3, 5, 4], 1000) == [(3000, 6000), (9000, 10000)]
    assert merge_ranges([0], 10) == [(0, 10)]
    assert merge_ranges([], 1000) == []


def test_newest_datetime_reads_what_sqlite_returns():
    assert newest_datetime("2026-01-02 03:04:05") == datetime(2026, 1, 2, 3, 4, 5)
    assert newest_datetime(datetime(2026, 1, 2)) == datetime(2026, 1, 2)
    assert newest_datetime(None) is None
