"""`sync_from_facturation`: parse the options, run the engine, render what it did."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from syncapp.engine import FacUnreachable, TableOutcome, fac_check, schema_problem
from syncapp.mapping import BY_NAME, TABLE_NAMES
from syncapp.models import SyncRun
from syncapp.runs import COUNTS, sync_run
from syncapp.status import SyncStatus, sync_status

USAGE_ERROR = 2
COLUMNS = (*COUNTS, "errors")


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


def format_age(delta) -> str:
    if delta is None:
        return "-"
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}min"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}"


def format_time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


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
        run = sync_run(
            tables=tables,
            force=force,
            dry_run=dry_run,
            verify=verify,
            allow_mass_delete=allow_mass_delete,
            trigger=trigger,
            keep_all_changes=self.verbosity >= 3,
            on_progress=self.progress if self.stdout.isatty() and self.verbosity >= 1 else None,
            on_table=self.show_changes,
        )
        self.show_run(run)

    def check_schema(self, tables: list[str]) -> None:
        """Before a deploy of the billing app: does live FAC still have every mapped column?"""
        try:
            fac_check()
        except FacUnreachable as exc:
            raise CommandError(str(exc), returncode=1) from None
        problems = {name: schema_problem(BY_NAME[name]) for name in tables}
        for name, problem in problems.items():
            self.stdout.write(f"{name}: {problem or 'ok'}")
        if any(problems.values()):
            raise CommandError("FAC does not match the declared mapping (syncapp/mapping.py)", returncode=1)
        self.stdout.write(self.style.SUCCESS("FAC matches the declared mapping."))

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
        if self.verbosity < 2:
            return
        shown = outcome.changes if self.verbosity >= 3 else outcome.changes[:50]
        for change in shown:
            columns = ", ".join(change["columns"]) if change["action"] in ("update", "differs") else ""
            self.stdout.write(f"  {outcome.table} #{change['id']}: {change['action']} {columns}".rstrip())
        listed = outcome.changed + outcome.differences
        if listed > len(shown):
            self.stdout.write(f"  {outcome.table}: … and {listed - len(shown)} more (-v 3 shows all)")

    def show_run(self, run: SyncRun) -> None:
        if run.status == SyncRun.Status.SKIPPED:
            self.stdout.write(f"Skipped: {run.error}.")
            return
        results = list(run.results.all())
        if run.mode == SyncRun.Mode.VERIFY:
            return self.show_verification(run, results)
        # When every table failed (FAC unreachable, say), the one line below says it all.
        if any(not r.error for r in results) and self.verbosity >= 1:
            self.stdout.write(f"{'table':<15}" + "".join(f"{c:>11}" for c in COLUMNS) + f"{'duration':>10}")
            for result in results:
                counts = "".join(f"{getattr(result, c):>11}" for c in COLUMNS)
                self.stdout.write(f"{result.table:<15}{counts}{result.duration_seconds:>9.2f}s")
                for row_error in result.row_errors:
                    self.stderr.write(f"  {result.table} row id={row_error['id']} not stored: {row_error['reason']}")
        seconds = (run.finished_at - run.started_at).total_seconds()
        what = "Dry run (nothing written)" if run.dry_run else "Run"
        summary = ", ".join(f"{getattr(run, c)} {c}" for c in COLUMNS)
        if run.status == SyncRun.Status.SUCCESS:
            self.stdout.write(self.style.SUCCESS(f"{what} #{run.pk} {run.status} in {seconds:.2f}s: {summary}."))
            return
        raise CommandError(f"{what} #{run.pk} {run.status}: {run.error or summary}", returncode=1)

    def show_verification(self, run: SyncRun, results) -> None:
        for result in results:
            state = result.error or f"{result.unchanged} rows identical, {result.errors} differ"
            self.stdout.write(f"{result.table:<15}{state}")
        if run.status != SyncRun.Status.SUCCESS:
            raise CommandError(f"Verification #{run.pk}: {run.error}", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"Verification #{run.pk}: OPS is equal to FAC."))

    def show_status(self, status: SyncStatus, tables: list[str]) -> None:
        fac = "reachable" if status.fac_error is None else status.fac_error
        self.stdout.write(f"FAC connection: {fac}")
        self.stdout.write(f"Lock: {'held by ' + status.lock_holder if status.lock_holder else 'free'}")
        header = ("table", "last success", "age", "cursor", "OPS live", "deleted", "FAC rows", "lag", "last run")
        widths = (14, 20, 7, 20, 9, 8, 9, 7, 24)
        self.stdout.write("".join(f"{h:<{w}}" for h, w in zip(header, widths, strict=True)))
        for row in (t for t in status.tables if t.table in tables):
            last = row.last_result
            outcome = f"{last.status} (#{last.run_id})" if last else "-"
            cells = (
                row.table + (" STALE" if row.stale else ""),
                format_time(row.last_success_at),
                format_age(row.age),
                format_time(row.cursor),
                row.ops_live,
                row.ops_deleted,
                "-" if row.fac_rows is None else row.fac_rows,
                format_age(row.lag),
                outcome,
            )
            self.stdout.write("".join(f"{c!s:<{w}}" for c, w in zip(cells, widths, strict=True)))
        selected = [t for t in status.tables if t.table in tables]
        if status.fac_error or any(t.stale for t in selected):
            raise CommandError("not in step: FAC unreachable or a table is stale (SYNC_STALE_AFTER)", returncode=1)
