"""`sync_from_facturation --watch`: a change in FAC reaches OPS within seconds, and an idle FAC
costs next to nothing.

Every SYNC_WATCH_INTERVAL seconds the watcher reads each FAC table's hints (syncapp/sql/hints.py:
when the server last saw a commit to it, and its highest id), two queries that read no rows. When
a table's hints move, it syncs that table alone, under the same lock as every run, recorded with
the trigger `watch`; idle polls are not recorded. That early sync is targeted (engine/plan.py):
the rows changed since the cursor, by a range of FAC's index on updated_at, and the ids above
the highest one it saw, by a range of the primary key; its cost follows the change, not the
table. Where FAC has no index on updated_at, finding the changed rows is a scan of the table:
the table's next early sync then waits SYNC_WATCH_SCAN_FACTOR times that scan, so that FAC
spends at most a share of its time on opsync (said once, with the CREATE INDEX to ask for).
Hints that move while a run is in progress are looked at as soon as it ends.

The hints are never trusted for correctness. MariaDB dates a commit by its transaction's start,
to the second, so a commit in a second already seen leaves them as they were: a hint of the
current second is therefore looked at again once that second is over (a second sync, at most).
A long transaction begun in a second already seen and synced stays invisible; the hints are
empty after a server restart, and TRUNCATE keeps them. So the watcher also runs the full
incremental sync of every table itself every SYNC_INTERVAL_MINUTES (and once when it starts),
as cron would: whatever the hints miss arrives by then, as it always did.

It keeps going through trouble: FAC or OPS down, or the network cut, it tries again with a
growing pause (up to MAX_PAUSE), and says so once when it happens and once when it is over. On
SIGTERM (systemctl stop) or Ctrl-C it stops after the batch in hand; the table that batch
belonged to is rolled back whole and the rest of the run is not begun. Between polls it holds no
transaction open on either side, and it beats (syncapp.models.Watcher) so that --status, the
dashboard and /healthz can tell that it is alive.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from django.conf import settings
from django.db import DatabaseError, connections, reset_queries
from django.utils import timezone

from syncapp.common.aliases import FAC_ALIAS, OPS_ALIAS
from syncapp.common.formats import decimal, latency
from syncapp.common.messages import Message, MessageError, in_english, message, render
from syncapp.config.databases import FAC_UNREACHABLE, fac_unreachable, ops_problem
from syncapp.config.mapping import mapping_for
from syncapp.engine.outcome import SyncOptions
from syncapp.models import SyncRun, SyncState, Watcher
from syncapp.running.runs import signals_stop, sync_run
from syncapp.sql import ddl
from syncapp.sql.hints import Hint, table_hints
from syncapp.status.run_text import run_summary

logger = logging.getLogger("opsync.sync")

HEARTBEAT_EVERY = Watcher.BEAT_EVERY
SETTLE_WAIT = 0.25  # seconds: a hint of the current second is looked at again once the second is over
SETTLE_AT_MOST = 1.5  # seconds spent waiting for hints to settle before a sync goes ahead all the same
MAX_PAUSE = 30.0  # seconds between attempts while FAC or OPS is unreachable


def rounded_seconds(value: float) -> float | int:
    """Seconds as people read them (0.016090106 → 0.02, 48.27 → 48): a message's figure, written in the
    reader's language when it is rendered (0,02 in French)."""
    if value >= 10:
        return round(value)
    return max(round(value, 2), 0.01) if value > 0 else 0  # never « 0,0 s » for a time that was spent


class Trouble(MessageError):
    """FAC or OPS does not answer: which one, and why."""


class WatchLoop:
    """The watcher's loop, one poll at a time (`poll()`), so tests can drive it."""

    def __init__(self, tables: list[str], *, interval: float, full_every: float, say: Callable[[str], None]):
        self.tables = tables
        self.fac_tables = [mapping_for(name).fac_table for name in tables]
        self.interval, self.full_every, self.say = interval, full_every, say
        self.seen: dict[str, Hint | None] = {}  # the hints each table had when last synced
        self.high_ids: dict[str, int] = {}  # FAC's highest id of each table when last synced
        self.not_before: dict[str, float] = {}  # time.monotonic() before which FAC rests from a table's scans
        self.rest_said: set[str] = set()
        self.settle_until: float | None = None  # waiting for the current second to end, until then
        self.next_full = 0.0  # time.monotonic() of the next full incremental run; 0: at once
        self.trouble: Message | None = None  # what is wrong now, if anything
        self.trouble_since = 0.0
        self.pause = interval
        self.record: Watcher | None = None
        self.last_beat = 0.0
        self.stop_asked = threading.Event()

    # -- the loop ----------------------------------------------------------------------

    def run(self) -> None:
        """Poll until asked to stop; the wait between polls ends at once on a stop. A thread beats
        meanwhile, so that a long run, or a long pause while FAC is away, is not taken for death."""
        with signals_stop(self.stop), self.beating():
            with suppress(Trouble):  # a record from the start, for the thread to beat through a first copy
                self.beat(force=True)
            self.say(
                render(
                    message(
                        "watch_started",
                        interval=decimal(self.interval),
                        minutes=decimal(self.full_every / 60),
                        tables=", ".join(self.tables),
                    )
                )
            )
            while not self.stop_asked.is_set():
                self.stop_asked.wait(self.poll())
        self.close()

    def stop(self) -> None:
        self.stop_asked.set()

    def stopping(self) -> bool:
        return self.stop_asked.is_set()

    def poll(self) -> float:
        """One look at FAC, and the syncs it calls for; the seconds to wait before the next."""
        reset_queries()  # with DEBUG on, Django would otherwise keep every query: flat memory
        try:
            wait = self.look()
            self.beat()
        except Trouble as exc:
            return self.troubled(exc.problem)
        if self.trouble is not None:
            self.recovered()
        return wait

    def look(self) -> float:
        """Sync the tables whose hints moved (all of them when the periodic run is due); the seconds
        to wait before looking again: none when hints moved while the run was in progress."""
        hints = self.read_hints()
        now = time.monotonic()
        periodic = now >= self.next_full
        if periodic:
            due = list(self.tables)
        else:
            moved = [name for name in self.tables if hints[name] != self.seen.get(name)]
            due = [name for name in moved if self.not_before.get(name, 0) <= now]
            if not due:  # nothing moved, or only tables whose last scan FAC is still resting from
                return min([self.interval, *(self.not_before[name] - now for name in moved)])
            if not all(hints[name].settled for name in due) and self.settling(now):
                # A commit may still come within this second and leave the hint as it is: sync
                # once the second is over, and that one run covers them all.
                return SETTLE_WAIT
        self.settle_until = None
        run = self.sync(due, () if periodic else self.targets(due))
        if run is None:  # another run holds the lock: look again next time
            return self.interval
        # Even where a table failed (the full run retries it). A hint of the current second is not
        # settled (only a periodic run meets one): look again next time.
        self.seen |= {name: hints[name] if hints[name].settled else None for name in due}
        self.high_ids |= {name: hints[name].highest_id or 0 for name in due}  # FAC's ids then: the run read them
        if periodic:
            self.next_full = time.monotonic() + self.full_every
        self.rest_after_scans(due)
        after = self.read_hints()
        if any(after[name] != self.seen.get(name) for name in due):
            return 0.0  # FAC changed while the run was in progress: look at it now
        return self.interval

    def settling(self, now: float) -> bool:
        """Whether to wait for the current second to end: once, for SETTLE_AT_MOST at most (a FAC
        that commits every second would otherwise never be synced)."""
        if self.settle_until is None:
            self.settle_until = now + SETTLE_AT_MOST
        return now < self.settle_until

    def targets(self, tables: list[str]) -> tuple[tuple[str, int], ...]:
        """The tables synced before, with FAC's highest id then: their early sync reads only what
        changed since (engine/plan.py); the others get the incremental run."""
        return tuple((name, self.high_ids[name]) for name in tables if name in self.high_ids)

    def rest_after_scans(self, tables: list[str]) -> None:
        """A table FAC can only scan whole to find its changes (no index on updated_at): its next
        early sync waits SYNC_WATCH_SCAN_FACTOR times that scan, so that FAC spends at most a share
        of its time on opsync's scans (1 in 4 by default); said once per table."""
        factor = settings.SYNC_WATCH_SCAN_FACTOR
        for state in SyncState.objects.filter(table__in=tables, fac_scan_seconds__isnull=False):
            # The cursor and its index as the run that scanned saw them (it resolved FAC's schema).
            if not state.fac_cursor or state.fac_cursor_indexed:
                self.not_before.pop(state.table, None)
                continue
            assert state.fac_scan_seconds is not None  # as the query asks
            rest = factor * state.fac_scan_seconds
            self.not_before[state.table] = time.monotonic() + rest
            if state.table not in self.rest_said:
                self.rest_said.add(state.table)
                scan = message(
                    "no_cursor_index",
                    table=state.table,
                    column=state.fac_cursor,
                    count=state.fac_rows or 0,
                    seconds=message("seconds", n=rounded_seconds(state.fac_scan_seconds)),
                    statement=ddl.index_statement("mysql", mapping_for(state.table).fac_table, state.fac_cursor),
                )
                line = message(
                    "watch_scan_rest",
                    table=state.table,
                    scan=scan,
                    rest=rounded_seconds(rest),
                    percent=decimal(100 / (1 + factor)),
                )
                logger.info("watcher: %s", in_english(line))
                self.say(render(line))

    def read_hints(self) -> dict[str, Hint]:
        try:
            found = table_hints(connections[FAC_ALIAS], self.fac_tables)
        except DatabaseError as exc:
            connections[FAC_ALIAS].close()  # reconnect next time
            raise Trouble(fac_unreachable(exc)) from None
        return dict(zip(self.tables, (found[table] for table in self.fac_tables), strict=True))

    def sync(self, tables: list[str], watch_from: tuple[tuple[str, int], ...] = ()) -> SyncRun | None:
        try:
            run = sync_run(
                options=SyncOptions(tables=tuple(tables), watch_from=watch_from),
                trigger=SyncRun.Trigger.WATCH,
                stop_requested=self.stopping,
                record_skip=False,
            )
        except DatabaseError as exc:
            connections[OPS_ALIAS].close()
            raise Trouble(ops_problem(exc)) from None
        if run is not None and (run.changed or run.status != SyncRun.Status.SUCCESS):
            self.say(self.run_line(run))
        return run

    def run_line(self, run: SyncRun) -> str:
        """`clients: Run #12 success in 0.05 s: 1 inserted, … The newest change arrived 1.40 s after…`"""
        line = render(message("watch_run", tables=", ".join(run.tables), summary=run_summary(run)))
        latencies = [r.latency_seconds for r in run.results.all() if r.latency_seconds is not None]
        if latencies:
            line += " " + render(message("watch_latency", latency=latency(max(latencies))))
        return line

    # -- heartbeat and trouble -----------------------------------------------------------

    def beat(self, *, force: bool = False) -> None:
        """Tell OPS that the watcher is alive, every HEARTBEAT_EVERY at most (or at once if forced)."""
        now = time.monotonic()
        if not force and now - self.last_beat < HEARTBEAT_EVERY.total_seconds():
            return
        state = Watcher.State.WATCHING if self.trouble is None else Watcher.State.FAC_UNREACHABLE
        try:
            if self.record is None:
                self.record = Watcher.objects.create(interval_seconds=self.interval, state=state)
            else:
                Watcher.objects.filter(pk=self.record.pk).update(beat_at=timezone.now(), state=state)
        except DatabaseError as exc:
            connections[OPS_ALIAS].close()
            raise Trouble(ops_problem(exc)) from None
        self.last_beat = now

    @contextmanager
    def beating(self) -> Iterator[None]:
        """A thread that beats every HEARTBEAT_EVERY while the loop lives, on an OPS connection of its
        own (the loop's is inside a table's transaction during a run: a beat there would show only at
        its commit). Its beats say the process lives; the loop's own (beat()) say what it does."""
        done = threading.Event()

        def beat() -> None:
            while not done.wait(HEARTBEAT_EVERY.total_seconds()):
                if self.record is None:
                    continue
                try:
                    Watcher.objects.filter(pk=self.record.pk, stopped_at__isnull=True).update(beat_at=timezone.now())
                except DatabaseError:  # OPS away: the loop says so; try again next time
                    connections[OPS_ALIAS].close()
            connections.close_all()  # this thread's own

        thread = threading.Thread(target=beat, name="opsync-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def troubled(self, problem: Message) -> float:
        """Say it once; beat when OPS still answers (a FAC outage shows on the dashboard); pause
        longer each time, up to MAX_PAUSE."""
        new = self.trouble is None or self.trouble["code"] != problem["code"]
        if new:
            self.trouble, self.trouble_since, self.pause = problem, time.monotonic(), self.interval
            logger.warning("watcher: %s; trying again, every %s s at most", in_english(problem), f"{MAX_PAUSE:g}")
            self.say(render(message("watch_trouble", problem=problem, seconds=decimal(MAX_PAUSE))))
        if problem["code"] in FAC_UNREACHABLE:  # alive, and waiting: beat on, so as not to look gone
            with suppress(Trouble):  # OPS down too: nothing to record it in
                self.beat(force=new)
        pause, self.pause = self.pause, min(self.pause * 2, MAX_PAUSE)
        return pause

    def recovered(self) -> None:
        seconds = f"{time.monotonic() - self.trouble_since:.0f}"
        logger.warning("watcher: back to normal after %s s (%s)", seconds, in_english(self.trouble))
        self.say(render(message("watch_recovered", seconds=seconds)))
        self.trouble, self.pause = None, self.interval
        self.beat(force=True)

    def close(self) -> None:
        """A clean stop: said, and recorded so that nobody is told the watcher died."""
        if self.record is not None:
            with suppress(DatabaseError):  # OPS down: the heartbeat simply stops
                Watcher.objects.filter(pk=self.record.pk).update(stopped_at=timezone.now())
        logger.info("watcher: stopped")
        self.say(render(message("watch_stopped")))
