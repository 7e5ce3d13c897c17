"""`sync_from_facturation`: parse the options, run the engine, render what it did.

It speaks LANGUAGE_CODE (French by default). Whatever goes wrong ends in one line and an exit
status: 0 done (or skipped: another run holds the lock), 1 a table or FAC failed, 2 bad usage;
with --status, the Monitoring Plugins' 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. --watch runs
until SIGTERM or Ctrl-C (syncapp/running/watch.py), then exits 0.
"""

import argparse
import re
import sys
import unicodedata

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from syncapp.common.messages import message, render
from syncapp.config.databases import (
    FacUnreachable,
    OpsUnavailable,
    error_reason,
    fac_check,
    load_data_note,
    ops_check,
    ops_problem,
)
from syncapp.config.mapping import mapping_for, mappings, mappings_resolve, table_names, tables_resolve
from syncapp.config.mapping_file import MappingFileError
from syncapp.engine.lock import SyncLock
from syncapp.engine.outcome import SyncOptions
from syncapp.engine.renumber import RenumberRefused, renumbering_apply, renumbering_plan
from syncapp.engine.schema import schema_check
from syncapp.management.help import TranslatedHelp
from syncapp.models import SyncRun, SyncTableResult
from syncapp.running.runs import stoppable_run
from syncapp.running.watch import WatchLoop
from syncapp.status import run_text, status_text
from syncapp.status.levels import Level
from syncapp.status.selectors import lock_holder_message, running_run, sync_status

USAGE_ERROR = 2


def usage_error(text: str) -> CommandError:
    return CommandError(
        text + " " + _("(valid tables: %(tables)s)") % {"tables": ", ".join(table_names())}, returncode=USAGE_ERROR
    )


def plain(name: str) -> str:
    """A table's name as a person may type it: the admin's « Représentants » is representants."""
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tables_parse(values: list[str] | None) -> list[str]:
    """`--table a --table b,c` → [a, b, c], each as a table is named (`Représentants` is representants);
    an unknown or empty name is a usage error."""
    if values is None:
        return list(table_names())
    typed = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if not typed:
        raise usage_error(_("--table names no table"))
    known = {plain(table): table for table in table_names()}
    if unknown := [name for name in typed if plain(name) not in known]:
        raise usage_error(_("unknown table '%(table)s'") % {"table": unknown[0]})
    return list(dict.fromkeys(known[plain(name)] for name in typed))


# How argparse refuses two options of one mutually exclusive group.
TWO_MODES = re.compile(r"argument (?P<option>--[a-z-]+)( [A-Z]+)?: not allowed with argument --[a-z-]+( [A-Z]+)?")


def goes_alone(option: str) -> str:
    """`--check goes alone: not with --status, …`: the options it cannot go with, not itself."""
    others = [o for o in ("--status", "--check", "--verify", "--watch", "--force", "--dry-run", "--allow-mass-delete",
                          "--renumber-ops-only") if o != option]  # fmt: skip
    return _("%(option)s goes alone: not with %(others)s or %(last)s") % {
        "option": option,
        "others": ", ".join(others[:-1]),
        "last": others[-1],
    }


def declarations_problem() -> str | None:
    """Why a table the mapping file declares cannot be mirrored, as FAC's schema says (None: each can).

    FAC unreachable is not a declaration's problem: the run, --check or --status says it.
    """
    if all(mapping.built_in for mapping in mappings()):
        return None
    try:
        fac_check()
        mappings_resolve()
    except FacUnreachable:
        return None
    except MappingFileError as exc:
        return str(exc)
    return None


# The options of a sync.
SYNC_FLAGS = (
    ("--force", gettext_lazy("full run: compare every row, write the differences, find deletions, reset the cursor")),
    ("--dry-run", gettext_lazy("show what a run would change; write nothing")),
    (
        "--allow-mass-delete",
        gettext_lazy("confirm a run that marks more than SYNC_MAX_DELETE_RATIO of a table's rows deleted"),
    ),
)
# What the command can do instead of a sync (with --renumber-ops-only): one of them at a time, alone.
MODES = (
    (
        "--status",
        gettext_lazy("where each table stands, for people and monitors: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"),
    ),
    ("--check", gettext_lazy("compare both databases' live columns with the mapping; exit 1 on a problem")),
    ("--verify", gettext_lazy("compare OPS with FAC by checksums; exit 1 on a difference; writes nothing")),
    (
        "--watch",
        gettext_lazy(
            "keep running: sync a table within seconds of a change in FAC, and every table every "
            "SYNC_INTERVAL_MINUTES; SIGTERM or Ctrl-C stops"
        ),
    ),
)


class Command(TranslatedHelp):
    # Lazy, so that --help speaks the reader's language; argparse gets it as a str (create_parser).
    help = gettext_lazy("Copy the reference tables one way from FAC (billing) into OPS.")  # type: ignore[assignment]
    _called_from_command_line: bool  # Django's (run_from_argv sets it), which the stubs leave out
    base_help = {"verbosity": gettext_lazy("detail: 0 little, 1 normal, 2 (or -v alone) more, 3 every row changed")}

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        argparse_error = parser.error

        def error(text: str) -> None:
            """argparse's own errors, but two modes at once said in one line, as the reader reads (argparse
            speaks English, and prints its usage first)."""
            if found := TWO_MODES.fullmatch(text):
                if not parser.called_from_command_line:
                    raise CommandError(goes_alone(found["option"]), returncode=USAGE_ERROR)
                parser.exit(USAGE_ERROR, goes_alone(found["option"]) + "\n")
            argparse_error(text)

        parser.error = error  # argparse's, wrapped, on this parser only
        return parser

    def add_base_argument(self, parser, *args, **kwargs):
        if "--verbosity" in args:  # a bare -v means -v 2, the habit of `php artisan`
            kwargs |= {"nargs": "?", "const": 2}
        super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        only = gettext_lazy("only this table (repeatable, or comma-separated): %s") % ", ".join(table_names())
        parser.add_argument("--table", action="append", metavar="NAME", help=only)
        for flag, help_text in SYNC_FLAGS:
            parser.add_argument(flag, action="store_true", help=help_text)
        trigger = gettext_lazy("recorded in the run")
        parser.add_argument("--trigger", choices=SyncRun.Trigger.values, default=SyncRun.Trigger.MANUAL, help=trigger)
        # What the command does instead of a sync: one at a time.
        modes = parser.add_mutually_exclusive_group()
        for flag, help_text in MODES:
            modes.add_argument(flag, action="store_true", help=help_text)
        renumber = gettext_lazy(
            "move the operations application's own rows whose ids FAC uses to free ids, with every OPS "
            "foreign key referencing them (with --dry-run: what it would move)"
        )
        modes.add_argument("--renumber-ops-only", metavar="TABLE", help=renumber)
        # The dashboard's buttons start the command with the record they made (runs.run_queue).
        parser.add_argument("--queued-run", type=int, help=argparse.SUPPRESS)

    def execute(self, *args, **options):
        """Django's, except that from a terminal or cron a failure is its one line, without Django's
        "CommandError:" before it. With --traceback, Django shows where it came from."""
        try:
            return super().execute(*args, **options)
        except (CommandError, DatabaseError) as exc:
            if not self._called_from_command_line or options["traceback"]:
                raise
            if isinstance(exc, DatabaseError):  # OPS went away during the run: its record could not be written
                exc = CommandError(render(ops_problem(exc)), returncode=1)
            if str(exc):
                self.stderr.write(str(exc))
            sys.exit(exc.returncode)

    def handle(self, *args, table, force, dry_run, allow_mass_delete, **options):
        tables = tables_parse(table)
        self.verbosity = options["verbosity"]
        renumber = options["renumber_ops_only"]
        mode = next((flag for flag, _help in MODES if options[flag[2:]]), None)
        if mode and (force or dry_run or allow_mass_delete):  # argparse keeps the modes apart
            raise CommandError(goes_alone(mode), returncode=USAGE_ERROR)
        if renumber is not None and (force or allow_mass_delete or table is not None):
            raise CommandError(_("--renumber-ops-only goes alone, or with --dry-run"), returncode=USAGE_ERROR)
        if options["status"]:
            return self.show_status(tables)
        try:
            ops_check()
        except OpsUnavailable as exc:
            raise CommandError(render(exc.problem), returncode=1) from None
        if (options["check"] or renumber is not None) and (problem := declarations_problem()):
            # As manage.py says every configuration error (.env, the mapping file): one prefix, one
            # language for the technician's settings, whose names are English (docs/guide-exploitation.md).
            raise CommandError(f"opsync: configuration error: {problem}", returncode=1)
        if options["check"]:
            return self.check_schema(tables)
        if renumber is not None:
            return self.renumber(tables_parse([renumber])[0], dry_run=dry_run)
        # A run, --verify and the watcher find a declaration that FAC's schema refuses table by table
        # (engine/schema.py): that table fails, in one line and in its record, and the others go on.
        if options["watch"]:
            return self.watch(tables)
        self.progress_shown = False
        sync_options = SyncOptions(
            tables=tuple(tables),
            force=force,
            dry_run=dry_run,
            verify=options["verify"],
            allow_mass_delete=allow_mass_delete,
            keep_all_changes=self.verbosity >= 3,
        )
        queued = None
        if options["queued_run"] is not None:  # a dashboard button's record: only one still waiting for us
            queued = SyncRun.objects.filter(pk=options["queued_run"], status=SyncRun.Status.QUEUED).first()
            if queued is None:
                raise CommandError(
                    _("run #%(id)s is not waiting to be carried out: nothing done") % {"id": options["queued_run"]},
                    returncode=USAGE_ERROR,
                )
        run = stoppable_run(  # SIGTERM: a stop, the table in hand rolled back (syncapp/running/runs.py)
            options=sync_options,
            trigger=options["trigger"],
            user=queued.triggered_by if queued else None,
            queued=queued,
            on_progress=self.progress if self.stdout.isatty() and self.verbosity >= 1 else None,
            on_table=self.show_changes,
        )
        assert run is not None, "a run skipped for the lock is recorded (record_skip)"
        self.show_run(run)

    def watch(self, tables: list[str]) -> None:
        """Until SIGTERM or Ctrl-C: a line when it starts, for each run that changed something or
        failed, for each trouble and its end, and when it stops (journald keeps them)."""

        def say(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()  # under systemd stdout is a pipe: no waiting for a full buffer

        interval, full_every = settings.SYNC_WATCH_INTERVAL, settings.SYNC_INTERVAL_MINUTES * 60
        WatchLoop(tables, interval=interval, full_every=full_every, say=say).run()

    def check_schema(self, tables: list[str]) -> None:
        """Before a billing upgrade, or an adoption: do both sides' live columns fit the mapping?"""
        try:
            fac_check()
        except FacUnreachable as exc:
            raise CommandError(render(exc.problem), returncode=1) from None
        try:
            resolved = tables_resolve(tables)[0]  # FAC's schema once, for every table
        except DatabaseError as exc:
            raise CommandError(render(message("fac_query_failed", reason=error_reason(exc))), returncode=1) from None
        checks = {mapping.name: schema_check(mapping) for mapping in resolved}
        self.write_lines(run_text.check_lines(checks))
        if note := load_data_note():
            self.stdout.write(render(note))
        if any(check.problems for check in checks.values()):
            raise CommandError(_("FAC and OPS do not fit the mapping: see the lines above."), returncode=1)
        self.stdout.write(self.style.SUCCESS(_("FAC and OPS fit the mapping.")))

    def renumber(self, table: str, *, dry_run: bool) -> None:
        """The application's own rows out of FAC's way (syncapp/engine/renumber.py), under the sync's lock."""
        lock = SyncLock()
        if not lock.acquire():
            raise CommandError(render(lock_holder_message(running_run())), returncode=1)
        try:
            plan = renumbering_plan(mapping_for(table))
            if not dry_run and plan.moves:
                renumbering_apply(plan)
        except RenumberRefused as exc:  # a table that cannot be renumbered is a wrong use: 2, as the README says
            usage = exc.problem["code"] in ("renumber_not_adopted", "renumber_needs_mysql")
            raise CommandError(render(exc.problem), returncode=USAGE_ERROR if usage else 1) from None
        finally:
            lock.release()
        self.write_lines(run_text.renumbering_lines(plan, show_ids=self.verbosity >= 2))

    # -- rendering ---------------------------------------------------------------------

    def progress(self, table: str, done: int, total: int | None) -> None:
        shown = f"{run_text.number(done)}/{run_text.number(total)}" if total else run_text.number(done)
        compared = ngettext("%(table)s: %(count)s row compared", "%(table)s: %(count)s rows compared", total or done)
        self.stdout.write("\r  " + compared % {"table": table, "count": shown}, ending="")
        self.stdout.flush()
        self.progress_shown = True

    def clear_progress(self) -> None:
        if self.progress_shown:
            self.stdout.write("\r\033[K", ending="")
            self.progress_shown = False

    def show_changes(self, result: SyncTableResult) -> None:
        """A table's changes as soon as it is recorded (the run's summary follows, from the same records)."""
        self.clear_progress()
        if self.verbosity >= 2:
            self.write_lines(run_text.change_lines(result, show_all=self.verbosity >= 3))

    def show_run(self, run: SyncRun) -> None:
        if run.status == SyncRun.Status.SKIPPED:
            self.stdout.write(_("Skipped: %(reason)s.") % {"reason": run.problem_text})
            return
        results = list(run.results.all())
        if run.mode == SyncRun.Mode.VERIFY:
            return self.show_verification(run, results)
        # When every table failed (FAC unreachable, say), the one line below says it all.
        if any(not (r.problem or r.error) for r in results) and self.verbosity >= 1:
            adopted = {mapping.name for mapping in mappings() if mapping.adopted}
            self.write_lines(run_text.results_table(results, adopted=bool(adopted)))
            if run.dry_run:  # on an adopted table, the adoption preview
                self.write_lines(
                    [run_text.adoption_preview(r) for r in results if r.table in adopted and not r.problem]
                )
            self.write_lines(run_text.row_error_lines(results), self.stderr)
            if note := run_text.compared_note(run, results):
                self.stdout.write(note)
        if run.status != SyncRun.Status.SUCCESS:
            raise CommandError(run_text.run_summary(run), returncode=1)
        self.stdout.write(self.style.SUCCESS(run_text.run_summary(run)))

    def show_verification(self, run: SyncRun, results: list) -> None:
        # As for a run: when every table failed alike (FAC unreachable, say), the one line below says it all.
        if len({r.problem_text for r in results}) > 1 or any(not (r.problem or r.error) for r in results):
            self.write_lines(run_text.verification_lines(results))
        if run.status != SyncRun.Status.SUCCESS:
            raise CommandError(
                _("Verification #%(id)s: %(problem)s") % {"id": run.pk, "problem": run.problem_text}, returncode=1
            )
        self.stdout.write(self.style.SUCCESS(_("Verification #%(id)s: OPS is equal to FAC.") % {"id": run.pk}))

    def show_status(self, tables: list[str]) -> None:
        """Monitoring Plugins: the first line says it all, perfdata after `|`; the exit status is the level."""
        try:
            ops_check()
            status = sync_status()  # OPS's records, and whether FAC answers: FAC's schema is a run's to read
        except OpsUnavailable as exc:
            self.stdout.write(f"OPSYNC UNKNOWN - {render(exc.problem)}")
            raise CommandError("", returncode=Level.UNKNOWN) from None
        except DatabaseError as exc:
            self.stdout.write(f"OPSYNC UNKNOWN - {render(ops_problem(exc))}")
            raise CommandError("", returncode=Level.UNKNOWN) from None
        self.write_lines(status_text.status_lines(status, tables))
        level = status_text.status_level(status, tables)
        if level != Level.OK:
            raise CommandError("", returncode=level)

    def write_lines(self, lines: list[str], stream=None) -> None:
        for line in lines:
            (stream or self.stdout).write(line)
