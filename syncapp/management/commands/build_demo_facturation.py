"""`build_demo_facturation`: a demo FAC database in SQLite, so that opsync can be tried without the billing app.

The building itself, which never writes through the read-only `facturation` alias, is in
syncapp/demo_builder.py; the data in syncapp/demo.py.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from syncapp import demo
from syncapp.databases import FAC_ALIAS
from syncapp.demo_builder import DemoBuildError, build_file, check_target, fac_sqlite_path


class Command(BaseCommand):
    help = (
        "Build a demo FAC (billing) database as a SQLite file, with realistic Gabonese reference data. "
        "Defaults to the file the 'facturation' database points to; never writes through that connection."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", help="SQLite file to create (default: the 'facturation' database's file).")
        parser.add_argument("--overwrite", action="store_true", help="Replace the file if it already exists.")
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help=f"Random seed (default {demo.DEFAULT_SEED})."
        )
        parser.add_argument(
            "--clients",
            type=int,
            default=demo.DEFAULT_CLIENTS,
            help=f"Number of clients (default {demo.DEFAULT_CLIENTS}, at least {demo.MIN_CLIENTS}).",
        )

    def handle(self, *args, path: str | None, overwrite: bool, seed: int, clients: int, **options) -> None:
        if clients < demo.MIN_CLIENTS:
            raise CommandError(f"--clients must be at least {demo.MIN_CLIENTS} (got {clients}).")
        try:
            target = Path(path).expanduser().resolve() if path else fac_sqlite_path(settings.DATABASES[FAC_ALIAS])
            check_target(target, overwrite)
            counts = build_file(target, demo.build_dataset(seed=seed, clients=clients), overwrite)
        except DemoBuildError as exc:
            raise CommandError(str(exc)) from None
        for table, (rows, deleted) in counts.items():
            self.stdout.write(f"{table}: {rows} rows, of which {deleted} soft-deleted")
        self.stdout.write(self.style.SUCCESS(f"Demo FAC database written to {target}"))
