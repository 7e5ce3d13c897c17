"""What is wrong, said once for every surface: the Monitoring Plugins' levels and the problems of the
tables, the last run and the watcher, each with what it means for a manager and what IT does.

Read-only: it derives problems from the read side's statuses (syncapp/status/states.py).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise as StrPromise
from django.utils.text import capfirst

from syncapp.common.formats import local_time
from syncapp.common.messages import Message, message
from syncapp.config.mapping import BUILT_IN
from syncapp.models import SyncTableResult
from syncapp.status.levels import Level, stale_after
from syncapp.status.states import TableStatus, WatcherStatus


@dataclass(frozen=True)
class Problem:
    kind: str  # fac_unreachable, failed, stale, differs, refused, late, run_failed, watcher_gone, watcher_missing
    level: Level
    message: Message  # what is wrong, for IT: the technical detail
    advice: Message  # what IT does about it
    plain: Message | None = None  # what it means, and who must act, for an operations manager
    tables: tuple[str, ...] = ()  # the tables it is about (none: FAC, the last run, the watcher)

    @property
    def key(self) -> str:
        """What the ADMINS were told is kept by key: `fac_unreachable`, `stale:clients,services`…"""
        return f"{self.kind}:{','.join(self.tables)}" if self.tables else self.kind

    @property
    def failing(self) -> bool:
        """Worth a mail and a 503: anything but a table that is merely late."""
        return self.kind != "late"


def watcher_problems(watcher: WatcherStatus) -> list[Problem]:
    """A watcher gone silent; or none running where SYNC_WATCH says the sync is left to one.
    A warning: whatever it leaves undone shows as stale tables, which are critical."""
    record = watcher.record
    plain = message("plain_watcher")
    if record is not None and watcher.gone:
        what = message("watcher_gone", host=record.host, pid=record.pid, since=local_time(record.beat_at))
        return [Problem("watcher_gone", Level.WARNING, what, message("advice_watcher"), plain)]
    if settings.SYNC_WATCH and not watcher.alive:
        return [Problem("watcher_missing", Level.WARNING, message("watcher_missing"), message("advice_watcher"), plain)]
    return []


def table_title(name: str) -> "str | StrPromise":
    """A table as the manager's pages name it: the five in words, with their accents (« Représentants »,
    as the admin's menu has them), in the language of the page that shows it; a declared table by its name,
    capitalised as the menu has it (« Navires »)."""
    if name in BUILT_IN:
        return capfirst(BUILT_IN[name][0]._meta.verbose_name_plural) or name
    return capfirst(name) or name


def table_problems(tables: list[TableStatus]) -> list[Problem]:
    """At most one per table, the most serious: its last run failed, it is stale, rows were refused, it
    is late. Tables that failed in the same run for the same reason, or are stale alike, are said once."""
    minutes = int(stale_after().total_seconds() // 60)
    found: list[Problem] = []
    failing: dict[tuple, list[SyncTableResult]] = {}  # the failed tables' last results
    stale = [table for table in tables if table.state == "stale"]
    for table in tables:
        last = table.last_result  # what `failing` and `refused` are said of
        if last is not None and table.state == "failing":
            failing.setdefault((last.run_id, repr(failure_reason(last))), []).append(last)
        elif table.state == "differs" and (verify := table.differs) is not None:
            what = message("verify_differs", table=table.table, count=verify.errors, run=verify.run_id)
            plain = message("plain_differs", table=[table_title(table.table)], count=verify.errors)
            advice = message("advice_differs", table=table.table)
            found.append(Problem("differs", Level.WARNING, what, advice, plain, (table.table,)))
        elif last is not None and table.state == "refused":
            what = message("rows_refused", table=table.table, count=last.refused, run=last.run_id)
            plain = message("plain_refused", table=[table_title(table.table)], count=last.refused)
            advice = message("advice_rows", run=last.run_id)
            found.append(Problem("refused", Level.WARNING, what, advice, plain, (table.table,)))
        elif table.state == "late" and table.age is not None:  # late: synced once, a while ago
            late = int(table.age.total_seconds() // 60)
            what, plain = (
                message("late", table=table.table, minutes=late, limit=message("minutes", count=minutes)),
                message("plain_late", table=[table_title(table.table)], minutes=late),
            )
            found.append(Problem("late", Level.WARNING, what, message("advice_late"), plain, (table.table,)))
    for (run, _), group in failing.items():
        names = [result.table for result in group]
        what = message("table_failing", tables=names, count=len(names), run=run, reason=failure_reason(group[0]))
        plain = message("plain_failing", tables=[table_title(name) for name in names], count=len(names))
        found.append(Problem("failed", Level.CRITICAL, what, message("advice_run", run=run), plain, tuple(names)))
    if stale:
        names = [table.table for table in stale]
        since = min((t.last_success_at for t in stale if t.last_success_at), default=None)
        within = message("minutes", count=minutes)
        what = message("stale", tables=names, count=len(names), minutes=within, since=local_time(since))
        plain = message("plain_stale", tables=[table_title(name) for name in names], count=len(names), minutes=within)
        found.append(Problem("stale", Level.CRITICAL, what, message("advice_stale"), plain, tuple(names)))
    return found


def failure_reason(result: SyncTableResult) -> Message:
    """Why a table's last run failed it: its problem, or (a verification) the rows found different."""
    if result.problem:
        return result.problem
    if result.differences_found:
        return message("ops_differs", tables=f"{result.table} ({result.errors})")
    return message("as_recorded", text=result.error)
