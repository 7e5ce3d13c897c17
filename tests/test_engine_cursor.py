"""syncapp/engine/cursor.py: how far the cursor may move."""

from datetime import datetime, timedelta
from typing import Any

from syncapp.engine.cursor import next_cursor

T = datetime(2026, 11, 30, 8, 0, 0)
NOW = T + timedelta(hours=1)


def cursor(**given):
    arguments: dict[str, Any] = {
        "previous": None,
        "newest_read": None,
        "fac_now": NOW,
        "oldest_failed": None,
        "full": False,
    }
    return next_cursor(**arguments | given)


def test_the_cursor_follows_the_newest_row_read():
    assert cursor(previous=T, newest_read=T + timedelta(minutes=5)) == T + timedelta(minutes=5)


def test_an_incremental_run_never_moves_it_back_by_itself():
    assert cursor(previous=T, newest_read=T - timedelta(minutes=5)) == T
    assert cursor(previous=T, newest_read=None) == T


def test_a_full_run_starts_afresh_from_what_it_read():
    assert cursor(previous=T, newest_read=T - timedelta(days=3), full=True) == T - timedelta(days=3)
    assert cursor(previous=T, newest_read=None, full=True) is None


def test_fac_clock_caps_a_row_dated_in_the_future():
    assert cursor(previous=T, newest_read=NOW + timedelta(days=365)) == NOW


def test_a_row_ops_refused_holds_the_cursor_back():
    assert cursor(previous=None, newest_read=T, oldest_failed=T - timedelta(minutes=1)) == T - timedelta(minutes=1)


def test_a_long_open_fac_transaction_holds_it_back_even_behind_the_previous_one():
    # Open since before T: its rows, stamped when written, are read once it commits.
    held = T - timedelta(minutes=1)
    assert cursor(previous=T, newest_read=T + timedelta(minutes=5), held=held) == held
    assert cursor(previous=T, newest_read=T + timedelta(minutes=5), held=None) == T + timedelta(minutes=5)


def test_nothing_read_ever_means_no_cursor():
    assert cursor() is None
