"""Running queries: all rows at once, a stream of batches, or two servers working at once."""

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import datetime
from typing import TypeVar, overload

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.sql.names import identifier

T = TypeVar("T")
U = TypeVar("U")


def quoted(connection: BaseDatabaseWrapper, names: Iterable[str]) -> str:
    """Column names, quoted and comma-separated."""
    return ", ".join(identifier(connection, name) for name in names)


def marks(count: int) -> str:
    """`%s, %s, …`: one parameter mark per value."""
    return ", ".join(["%s"] * count)


# A value in, a datetime out: only NULL stays None.
@overload
def as_datetime(value: datetime | str) -> datetime: ...
@overload
def as_datetime(value: None) -> None: ...
def as_datetime(value: datetime | str | None) -> datetime | None:
    """A datetime from the server: SQLite gives an aggregate's (MAX(updated_at)) as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def fetch_all(connection: BaseDatabaseWrapper, sql: str, params: Iterable = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def execute(connection: BaseDatabaseWrapper, sql: str, params: Iterable = ()) -> int:
    """A statement that returns no rows; how many rows it changed."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def stream(connection: BaseDatabaseWrapper, sql: str, params: Iterable, *, batch_size: int) -> Iterator[list[tuple]]:
    """A query's rows, a batch at a time, without holding the whole result in memory.

    On MySQL this takes a server-side (unbuffered) cursor on the raw connection: one scan,
    constant memory. The connection must not run another query until the stream ends.
    """
    connection.ensure_connection()
    if connection.vendor != "mysql":
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            while batch := cursor.fetchmany(batch_size):
                yield batch
        return
    import MySQLdb
    from MySQLdb.cursors import SSCursor

    with connection.wrap_database_errors:
        cursor = connection.connection.cursor(SSCursor)
        try:
            cursor.execute(sql, list(params))
            while batch := cursor.fetchmany(batch_size):
                yield list(batch)
        finally:
            # Closing drains what the server has not sent yet. With the server gone (or the stream
            # left half read, then the connection cut) that fails too: the read's own error, or
            # the caller's, is the one that counts. Raised here, during the generator's clean-up,
            # Python would print it as "Exception ignored in: <generator object stream>".
            with suppress(MySQLdb.Error):
                cursor.close()


class Pair:
    """Two queries at a time, one per connection, as often as asked: each server works while the
    other does.

    The background query runs in one worker thread, which opens its own connections once and
    keeps them until the pair is closed: it must look them up inside, with `connections[alias]`.
    A background query that fails closes them: the next one connects afresh.
    """

    def __enter__(self) -> "Pair":
        self.pool = ThreadPoolExecutor(max_workers=1)
        return self

    def run(self, background: Callable[[], T], foreground: Callable[[], U]) -> tuple[T, U]:
        future = self.pool.submit(background)
        try:
            here = foreground()
        finally:
            try:
                there = future.result()
            except DatabaseError:
                self.pool.submit(connections.close_all).result()
                raise
        return there, here

    def __exit__(self, *exc_info) -> None:
        self.pool.submit(connections.close_all).result()  # the worker thread's connections only
        self.pool.shutdown()


# The run's own pair (syncapp/running/runs.py), which in_parallel uses while it is open.
RUN_PAIR: ContextVar[Pair | None] = ContextVar("run_pair", default=None)


@contextmanager
def run_pair() -> Iterator[None]:
    """For a whole run: every table's two queries at once share one worker thread and its connections.
    A thread and an OPS connection per table (its set-up: four statements) cost an idle run more than
    its own work."""
    with Pair() as pair:
        token = RUN_PAIR.set(pair)
        try:
            yield
        finally:
            RUN_PAIR.reset(token)


def in_parallel(background: Callable[[], T], foreground: Callable[[], U]) -> tuple[T, U]:
    """Two queries at once (see Pair): on the run's pair if one is open, else on a pair of their own."""
    if (pair := RUN_PAIR.get()) is not None:
        return pair.run(background, foreground)
    with Pair() as pair:
        return pair.run(background, foreground)
