"""The command's text: runs, changes and status as lines, for a terminal, a cron mail or a monitor.

Plain functions that return lines in the active language (LANGUAGE_CODE), so that the command
only writes them and tests read them. Numbers are right-aligned and grouped as the language
writes them; times carry their zone.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Field
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext_lazy

from syncapp.common.formats import Count, number, numbered
from syncapp.common.formats import duration as format_duration
from syncapp.common.messages import render, rendered
from syncapp.engine.outcome import Change, RowError
from syncapp.models import (
    CHANGE_LABELS,
    COUNTERS,
    SHOWS_COLUMNS,
    ChangeAction,
    ChangeCounts,
    Difference,
    SyncRun,
    SyncTableResult,
    rows_changed,
)

CHANGES_SHOWN = 50  # per table at -v 2; -v 3 shows all
IDS_SHOWN = 10  # refused rows named per reason in the command's output; the run's page names all it keeps


def labelled(label: str, text: str) -> str:
    """`clients: ok`, as the language punctuates it (`clients : ok` in French)."""
    return _("%(label)s: %(text)s") % {"label": label, "text": text}


def counter_label(name: str) -> str:
    field = SyncTableResult._meta.get_field(name)
    assert isinstance(field, Field), "a counter is a column"
    return str(field.verbose_name)


# A count of rows and what happened to them; in French the words agree with « ligne » (feminine).
COUNTED = {
    "inserted": npgettext_lazy("rows", "%(n)s inserted", "%(n)s inserted", "n"),
    "updated": npgettext_lazy("rows", "%(n)s updated", "%(n)s updated", "n"),
    "deleted": npgettext_lazy("rows", "%(n)s deleted", "%(n)s deleted", "n"),
    "restored": npgettext_lazy("rows", "%(n)s restored", "%(n)s restored", "n"),
    "unchanged": npgettext_lazy("rows", "%(n)s unchanged", "%(n)s unchanged", "n"),
    "errors": npgettext_lazy("rows", "%(n)s error", "%(n)s errors", "n"),
    "ops_only": npgettext_lazy("rows", "%(n)s OPS-only (left alone)", "%(n)s OPS-only (left alone)", "n"),
    "identical": npgettext_lazy("rows", "%(n)s identical", "%(n)s identical", "n"),
    "rows_identical": npgettext_lazy("rows", "%(n)s row identical", "%(n)s rows identical", "n"),
    "would_update": npgettext_lazy("rows", "%(n)s would be updated", "%(n)s would be updated", "n"),
    "would_insert": npgettext_lazy("rows", "%(n)s would be inserted", "%(n)s would be inserted", "n"),
    "would_delete": npgettext_lazy("rows", "%(n)s would be deleted", "%(n)s would be deleted", "n"),
    "would_restore": npgettext_lazy("rows", "%(n)s would be restored", "%(n)s would be restored", "n"),
    "collide": npgettext_lazy("rows", "%(n)s collides", "%(n)s collide", "n"),
    "differ": npgettext_lazy("rows", "%(n)s differs", "%(n)s differ", "n"),
    "rows": npgettext_lazy("rows", "%(n)s row", "%(n)s rows", "n"),
}


def counted(what: str, count: int) -> str:
    """`2 insérées`, `1 insérée`, `0 insérée`: the count and its words, agreeing."""
    return COUNTED[what] % {"n": Count(count)}


@dataclass(frozen=True)
class ShownChange:
    """A recorded change (or difference found) as every surface shows it: the terminal, the run's page, the mail."""

    id: int
    action: str  # its label: « mise à jour », « absente d'OPS »…
    columns: str  # the columns that differ, for the changes that name them; else ""
    text: str = ""  # what happened to the row, in one phrase: « mise à jour des colonnes ville, email »

    @classmethod
    def of(cls, change: Change) -> "ShownChange":
        names = change["columns"] if change["action"] in SHOWS_COLUMNS else []
        label = str(CHANGE_LABELS[change["action"]])
        text = (WITH_COLUMNS[change["action"]] % {"columns": ", ".join(names), "n": len(names)}) if names else label
        return cls(change["id"], label, ", ".join(names), text)

    @property
    def number(self) -> str:
        return numbered(self.id)


# A change that names its columns, as one phrase: the columns are names, whose gender the phrase
# must not depend on (« ville différente » cannot be said for every column).
WITH_COLUMNS: dict[str, Any] = {
    ChangeAction.UPDATE: npgettext_lazy("change", "updated, column %(columns)s", "updated, columns %(columns)s", "n"),
    Difference.DIFFERS: npgettext_lazy(
        "difference", "differs in column %(columns)s", "differs in columns %(columns)s", "n"
    ),
}


def change_lines(result: SyncTableResult, *, show_all: bool) -> list[str]:
    """One line per change (or difference found), from the table's record, with a count of those left out."""
    shown = result.changes if show_all else result.changes[:CHANGES_SHOWN]
    lines = []
    for change in map(ShownChange.of, shown):
        lines.append("  " + labelled(f"{result.table} {change.number}", change.text))
    listed = rows_changed(result) + result.differences
    if listed > len(shown):
        more = listed - len(shown)
        lines.append(
            "  "
            + ngettext(
                "%(table)s: … and %(count)s more (-v 3 shows them all)",
                "%(table)s: … and %(count)s more (-v 3 shows them all)",
                more,
            )
            % {"table": result.table, "count": number(more)}
        )
    return lines


def retries_text(result: SyncTableResult) -> str:
    """A table tried again: `2 tries (OPS deadlock …), 1.95 s lost`."""
    return ngettext(
        "%(count)s try (%(reason)s), %(lost)s lost",
        "%(count)s tries (%(reason)s), %(lost)s lost",
        result.attempts,
    ) % {
        "count": number(result.attempts),
        "reason": render(result.retry_reason) if result.retry_reason else "-",
        "lost": format_duration(result.retry_seconds),
    }


def results_table(results: list[SyncTableResult], *, adopted: bool = False) -> list[str]:
    """Each table's counts and duration, under a header; with adopted tables, their OPS-only rows too."""
    columns = [*COUNTERS, "errors", *(["ops_only"] if adopted else [])]
    header = [_("table"), *(counter_label(c) for c in columns), _("duration")]
    rows = [[r.table, *(number(getattr(r, c)) for c in columns), format_duration(r.duration_seconds)] for r in results]
    return aligned([header, *rows])


def aligned(rows: list[list[str]]) -> list[str]:
    """A text table: the first column to the left, the others (numbers) to the right."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]


def adoption_preview(result: SyncTableResult) -> str:
    """A dry run on an adopted table, in words: what the first run would do to the OPS table."""
    parts = [
        counted("identical", result.unchanged),
        counted("would_update", result.updated + result.deleted + result.restored),
        counted("would_insert", result.inserted),
        counted("ops_only", result.ops_only),
        counted("collide", result.collisions),
    ]
    return labelled(result.table, ", ".join(parts))


def check_lines(checks: dict) -> list[str]:
    """--check: a line per problem and per warning, or `ok`, for each table."""
    lines = []
    for table, check in checks.items():
        lines += [labelled(table, render(problem)) for problem in check.problems]
        lines += [labelled(table, _("warning: %(text)s") % {"text": render(warning)}) for warning in check.warnings]
        if not (check.problems or check.warnings):
            lines.append(labelled(table, _("ok")))
    return lines


def row_error_lines(results: list[SyncTableResult]) -> list[str]:
    """The rows OPS refused, a line per reason: `clients: 3 rows not stored: value too long… (#4, #9, #12)`."""
    lines = []
    for result in results:
        for group in refusals(result.row_errors):
            lines.append("  " + labelled(result.table, refusal_line(group)))
        if result.refused > len(result.row_errors):
            more = result.refused - len(result.row_errors)
            lines.append(
                "  "
                + ngettext(
                    "%(table)s: … and %(count)s more row refused (all are read again on the next run)",
                    "%(table)s: … and %(count)s more rows refused (all are read again on the next run)",
                    more,
                )
                % {"table": result.table, "count": number(more)}
            )
    return lines


def refusal_line(group: dict) -> str:
    ids = group["ids"]
    if not ids:  # a collision, which names its row
        return group["reason"]
    shown = ", ".join(numbered(i) for i in ids[:IDS_SHOWN]) + (
        f", … {numbered(ids[-1])}" if len(ids) > IDS_SHOWN else ""
    )
    return ngettext(
        "row %(ids)s not stored: %(reason)s",
        "%(count)s rows not stored: %(reason)s (%(ids)s)",
        len(ids),
    ) % {"count": number(len(ids)), "ids": shown, "reason": group["reason"]}


def refusal_reason(error: RowError) -> str:
    """Why a row was refused, without the row: what groups refused rows on a run's page."""
    if "code" not in error:  # a record made before messages were kept
        return error["reason"]
    if error["code"] == "row_refused":
        return rendered(error["params"]["reason"])
    return render({"code": error["code"], "params": error["params"]})  # a collision names its row: on its own


def refusals(row_errors: list[RowError]) -> list[dict]:
    """Refused rows grouped by reason, in order of first appearance: [{"reason", "ids"}]."""
    groups: dict[str, list[int]] = {}
    for error in row_errors:
        ids = groups.setdefault(refusal_reason(error), [])
        if error.get("code") != "collision":  # which names its row already
            ids.append(error["id"])
    return [{"reason": reason, "ids": ids} for reason, ids in groups.items()]


# What a dry run counts: what it would have done, not what was done (« rien n'a été écrit »).
WOULD = {"inserted": "would_insert", "updated": "would_update", "deleted": "would_delete", "restored": "would_restore"}


def totals(counts: ChangeCounts) -> str:
    """A run's counts, or a table's (SyncTableResult): what it did; for a dry run, what it would
    have done; for a verification, the rows found identical and different."""
    run = counts if isinstance(counts, SyncRun) else counts.run  # type: ignore[attr-defined]
    if run.mode == SyncRun.Mode.VERIFY:
        return ", ".join([counted("rows_identical", counts.unchanged), counted("differ", counts.errors)])
    names = [WOULD.get(c, c) if run.dry_run else c for c in COUNTERS]
    parts = [counted(name, getattr(counts, c)) for name, c in zip(names, COUNTERS, strict=True)]
    parts.append(counted("errors", counts.errors))
    if counts.ops_only:
        parts.append(counted("ops_only", counts.ops_only))
    return ", ".join(parts)


def run_summary(run: SyncRun) -> str:
    """The run's last line: what it was, how it ended, its totals (or what went wrong)."""
    what = (_("Dry run #%(id)s") if run.dry_run else _("Run #%(id)s")) % {"id": run.pk}
    if run.status == SyncRun.Status.SUCCESS:
        done = (
            _("%(what)s %(status)s in %(duration)s, nothing written: %(totals)s.")
            if run.dry_run
            else _("%(what)s %(status)s in %(duration)s: %(totals)s.")
        )
        assert run.finished_at is not None, "a run is a success once it has finished"
        seconds = (run.finished_at - run.started_at).total_seconds()
        return done % {
            "what": what,
            "status": run.get_status_display(),
            "duration": format_duration(seconds),
            "totals": totals(run),
        }
    return labelled(f"{what} {run.get_status_display()}", run.problem_text or totals(run))


def compared_note(run: SyncRun, results: list[SyncTableResult]) -> str:
    """What an incremental run looked at, so that `1 unchanged` is not read as `1 row checked`; not
    after a table's first run, which compares every row."""
    if run.mode != SyncRun.Mode.INCREMENTAL or all(r.cursor_before is None for r in results):
        return ""
    return _(
        "Incremental run: only the rows FAC changed since the last run, and the rows added or removed, were "
        "compared; a full run compares every row."
    )


def verification_lines(results: list[SyncTableResult]) -> list[str]:
    rows = []
    for r in results:
        state = r.problem_text or ", ".join([counted("rows_identical", r.unchanged), counted("differ", r.errors)])
        if r.ops_only:
            state += ", " + counted("ops_only", r.ops_only)
        rows.append([r.table, state])
    width = max(len(table) for table, state in rows) if rows else 0
    return [f"{table.ljust(width)}  {state}" for table, state in rows]


def renumbering_lines(plan, *, show_ids: bool) -> list[str]:
    """--renumber-ops-only: what moved (or would), each row at -v 2, and the ALTER TABLE to run next."""
    table, count = plan.mapping.name, len(plan.moves)
    if not count:
        return [labelled(table, _("no OPS-only row to move: none has an id FAC uses or will soon reach"))]
    refs = plan.references_moved
    values = {
        "count": number(count),
        "first": plan.moves[0][1],
        "last": plan.moves[-1][1],
        "references": ngettext("%(n)s reference", "%(n)s references", refs) % {"n": number(refs)},
        "columns": ", ".join(f"{r.table}.{r.column}" for r in plan.references) or _("no foreign key"),
    }
    if plan.done:
        text = ngettext(
            "%(count)s OPS-only row moved to id %(first)s, with %(references)s (%(columns)s)",
            "%(count)s OPS-only rows moved to ids %(first)s to %(last)s, with %(references)s (%(columns)s)",
            count,
        )
    else:
        text = ngettext(
            "%(count)s OPS-only row would move to id %(first)s, with %(references)s (%(columns)s); nothing written",
            "%(count)s OPS-only rows would move to ids %(first)s to %(last)s, with %(references)s (%(columns)s); "
            "nothing written",
            count,
        )
    lines = [labelled(table, text % values)]
    if show_ids:
        for old, new in plan.moves:
            moved = plan.counts.get(old, 0)
            what = ngettext("→ #%(new)s, %(n)s reference", "→ #%(new)s, %(n)s references", moved)
            lines.append(
                "  " + labelled(f"{plan.mapping.ops_table} {numbered(old)}", what % {"new": new, "n": number(moved)})
            )
    advice = _(
        "So that the operations application's next own rows land above FAC's ids, run in OPS (opsync never "
        "alters its tables): %(statement)s"
    )
    lines.append(advice % {"statement": plan.alter_statement})
    return lines
