"""`sync_from_facturation`: parse the options, run the engine, render what it did."""

from django.core.management.base import BaseCommand, CommandError

from syncapp import report
from syncapp.databases import FacUnreachable, fac_check
from syncapp.engine.outcome import SyncOptions, TableOutcome
from syncapp.mapping import TABLE_NAMES, mapping_for, mappings
from syncapp.models import SyncRun
from syncapp.runs import sync_run
from syncapp.schema import schema_check
from syncapp.selectors import SyncStatus, sync_status

USAGE_ERROR = 2


def parse_tables(values: list[str] | None) -> list[str]:
    """`--table a --table b,c` → [a, b, c]; an unknown name is a usage error."""
    if not values:
        return list(TABLE_NAMES)
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in TABLE_NAMES]
    if unknown:
        raise CommandError(
            f"unknown table '{unknown[0]}'; valid tables: {', '.join(TABLE_NAMES)}", returncode=USAGE_ERROR
        )
    return names


class Command(BaseCommand):
    help = "Copy the five reference tables one way from FAC (billing) into the OPS mirror."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # A bare -v means -v 2, the habit of `php artisan`.
        verbosity = parser._option_string_actions["-v"]
        verbosity.nargs, verbosity.const = "?", 2
        return parser

    def add_arguments(self, parser):
        parser.add_argument(
            "--table",
            action="append",
            metavar="NAME",
            help=f"only this table (repeatable, or comma-separated): {', '.join(TABLE_NAMES)}",
        )
        parser.add_argument(
            "--force", action="store_true", help="full resync: compare every row, find deletions, reset the cursor"
        )
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        parser.add_argument("--status", action="store_true", help="where each table stands; exit 1 when stale")
        parser.add_argument(
            "--check", action="store_true", help="only compare FAC's live columns with the mapping; exit 1 on drift"
        )
        parser.add_argument(
            "--verify", action="store_true", help="compare OPS with FAC by checksums; exit 1 on a difference"
        )
        parser.add_argument(
            "--allow-mass-delete",
            action="store_true",
            help="confirm a run that marks more than SYNC_MAX_DELETE_RATIO of a table's rows deleted",
        )
        parser.add_argument(
            "--trigger", choices=SyncRun.Trigger.values, default=SyncRun.Trigger.MANUAL, help="recorded in the run"
        )

    def handle(self, *args, table, force, dry_run, status, check, verify, allow_mass_delete, trigger, **options):
        tables = parse_tables(table)
        self.verbosity = options["verbosity"]
        alone = [option for option, given in (("--status", status), ("--check", check), ("--verify", verify)) if given]
        if len(alone) > 1 or (alone and (force or dry_run or allow_mass_delete)):
            raise CommandError(
                f"{alone[0]} goes alone: not with --status, --check, --verify, --force, --dry-run "
                "or --allow-mass-delete",
                returncode=USAGE_ERROR,
            )
        if status:
            return self.show_status(sync_status(), tables)
        if check:
            return self.check_schema(tables)
        self.progress_shown = False
        options = SyncOptions(
            tables=tuple(tables),
            force=force,
            dry_run=dry_run,
            verify=verify,
            allow_mass_delete=allow_mass_delete,
            keep_all_changes=self.verbosity >= 3,
        )
        run = sync_run(
            options=options,
            trigger=trigger,
            on_progress=self.progress if self.stdout.isatty() and self.verbosity >= 1 else None,
            on_table=self.show_changes,
        )
        self.show_run(run)

    def check_schema(self, tables: list[str]) -> None:
        """Before a billing upgrade, or an adoption: do both sides' live columns fit the mapping?"""
        try:
            fac_check()
        except FacUnreachable as exc:
            raise CommandError(str(exc), returncode=1) from None
        checks = {name: schema_check(mapping_for(name)) for name in tables}
        self.write_lines(report.check_lines(checks))
        if any(check.problems for check in checks.values()):
            raise CommandError("FAC and OPS do not fit the mapping: see the lines above", returncode=1)
        self.stdout.write(self.style.SUCCESS("FAC and OPS fit the mapping."))

    # -- rendering ---------------------------------------------------------------------

    def progress(self, table: str, done: int, total: int | None) -> None:
        shown = f"{done}/{total}" if total else f"{done}"
        self.stdout.write(f"\r  {table}: {shown} rows compared", ending="")
        self.stdout.flush()
        self.progress_shown = True

    def clear_progress(self) -> None:
        if self.progress_shown:
            self.stdout.write("\r\033[K", ending="")
            self.progress_shown = False

    def show_changes(self, outcome: TableOutcome) -> None:
        self.clear_progress()
        if self.verbosity >= 2:
            self.write_lines(report.change_lines(outcome, show_all=self.verbosity >= 3))

    def show_run(self, run: SyncRun) -> None:
        if run.status == SyncRun.Status.SKIPPED:
            self.stdout.write(f"Skipped: {run.error}.")
            return
        results = list(run.results.all())
        if run.mode == SyncRun.Mode.VERIFY:
            return self.show_verification(run, results)
        # When every table failed (FAC unreachable, say), the one line below says it all.
        if any(not r.error for r in results) and self.verbosity >= 1:
            adopted = {mapping.name for mapping in mappings() if mapping.adopted}
            self.write_lines(report.results_table(results, adopted=bool(adopted)))
            if run.dry_run:  # on an adopted table, the adoption preview
                self.write_lines([report.adoption_preview(r) for r in results if r.table in adopted and not r.error])
            self.write_lines(report.row_error_lines(results), self.stderr)
        if run.status != SyncRun.Status.SUCCESS:
            raise CommandError(report.run_summary(run), returncode=1)
        self.stdout.write(self.style.SUCCESS(report.run_summary(run)))

    def show_verification(self, run: SyncRun, results: list) -> None:
        self.write_lines(report.verification_lines(results))
        if run.status != SyncRun.Status.SUCCESS:
            raise CommandError(f"Verification #{run.pk}: {run.error}", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"Verification #{run.pk}: OPS is equal to FAC."))

    def show_status(self, status: SyncStatus, tables: list[str]) -> None:
        self.write_lines(report.status_lines(status, tables))
        alarming = {"fac_unreachable", *(f"stale:{table}" for table in tables)}
        if any(problem.key in alarming for problem in status.problems):
            raise CommandError("not in step: FAC unreachable or a table is stale (SYNC_STALE_AFTER)", returncode=1)

    def write_lines(self, lines: list[str], stream=None) -> None:
        for line in lines:
            (stream or self.stdout).write(line)
