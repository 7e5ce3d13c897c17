"""`build_demo_facturation`: a demo FAC database in SQLite, so that opsync can be tried without the billing app.

opsync never writes to FAC, and this command keeps that rule: it does not use the read-only
`facturation` alias (nor its read-only models) but opens its own writable connection to a new
file. The file is built under a temporary name and moved into place only once complete, so a
failed build never leaves a half-written FAC database behind, nor destroys the previous one.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.models import Model

from syncapp import demo
from syncapp.mapping import MAPPINGS
from syncapp.readonly import FAC_ALIAS

FAC_MODELS: tuple[type[Model], ...] = tuple(mapping.source for mapping in MAPPINGS)
SQLITE_ENGINE = "django.db.backends.sqlite3"
# Files SQLite keeps beside a database; a stale one would be replayed into the new file.
SIDECAR_SUFFIXES = ("-journal", "-wal", "-shm")


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
        target = Path(path).expanduser().resolve() if path else fac_sqlite_path(settings.DATABASES[FAC_ALIAS])
        if clients < demo.MIN_CLIENTS:
            raise CommandError(f"--clients must be at least {demo.MIN_CLIENTS} (got {clients}).")
        check_target(target, overwrite)
        counts = build_file(target, demo.build_dataset(seed=seed, clients=clients), overwrite)
        for table, (rows, deleted) in counts.items():
            self.stdout.write(f"{table}: {rows} rows, of which {deleted} soft-deleted")
        self.stdout.write(self.style.SUCCESS(f"Demo FAC database written to {target}"))


def fac_sqlite_path(entry: dict) -> Path:
    """The file behind a SQLite DATABASES entry, whose NAME may be a `file:...?mode=ro` URI."""
    if entry.get("ENGINE") != SQLITE_ENGINE:
        raise CommandError(
            f"The '{FAC_ALIAS}' database is not SQLite (FAC_DB_CONNECTION); pass --path to build a demo file."
        )
    name = str(entry.get("NAME") or "")
    if name.startswith("file:"):
        name = name.removeprefix("file:").split("?", 1)[0]
    if not name or name == ":memory:":
        raise CommandError(f"The '{FAC_ALIAS}' database has no file name; pass --path.")
    return Path(name)


def check_target(target: Path, overwrite: bool) -> None:
    """Refuse early, before any work, when the file would be clobbered or cannot be created."""
    if not target.parent.is_dir():
        raise CommandError(f"Directory {target.parent} does not exist.")
    if target.exists() and not overwrite:
        raise CommandError(f"{target} already exists; pass --overwrite to replace it.")


def build_file(target: Path, dataset: dict[str, list[demo.Row]], overwrite: bool) -> dict[str, tuple[int, int]]:
    """Write the dataset to a temporary file beside the target, then move it into place."""
    # SQLite creates the file itself, so it gets the usual permissions (mkstemp's would be 0600).
    temporary = target.with_name(f".{target.name}.{os.getpid()}.building")
    discard(temporary)
    try:
        counts = write_database(temporary, dataset)
        if overwrite:
            remove_sidecars(target)
        os.replace(temporary, target)
    finally:
        discard(temporary)
    return counts


def discard(database: Path) -> None:
    database.unlink(missing_ok=True)
    remove_sidecars(database)


def remove_sidecars(database: Path) -> None:
    for suffix in SIDECAR_SUFFIXES:
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def open_connection(path: Path | str) -> BaseDatabaseWrapper:
    """A private, writable SQLite connection: not registered in `django.db.connections`.

    Every key a Django connection reads is given, rather than copied from another alias,
    whose OPTIONS (MySQL ones, say) would make no sense to SQLite.
    """
    settings_dict = {
        "ENGINE": SQLITE_ENGINE,
        "NAME": str(path),
        "OPTIONS": {},
        "TIME_ZONE": None,  # stored datetimes are naive UTC, as for any Django SQLite database with USE_TZ
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return DatabaseWrapper(settings_dict, alias="build_demo_facturation")


def write_database(path: Path, dataset: dict[str, list[demo.Row]]) -> dict[str, tuple[int, int]]:
    """Create the five FAC tables and fill them; returns (rows, soft-deleted rows) per table."""
    connection = open_connection(path)
    try:
        create_fac_tables(connection)
        connection.set_autocommit(False)
        for model in FAC_MODELS:
            insert_rows(connection, model, dataset[model._meta.db_table])
        connection.commit()
        return {model._meta.db_table: count_rows(connection, model) for model in FAC_MODELS}
    finally:
        connection.close()


def create_fac_tables(connection: BaseDatabaseWrapper) -> None:
    """FAC's five tables, from the FAC models, on a private connection."""
    # atomic=False: an atomic schema editor would look its alias up in `connections`.
    with connection.schema_editor(atomic=False) as editor:
        for model in FAC_MODELS:
            editor.create_model(model)


def insert_rows(connection: BaseDatabaseWrapper, model: type[Model], rows: list[demo.Row]) -> None:
    """Plain parametrized INSERTs (FAC models refuse writes), values prepared as Django stores them."""
    fields = model._meta.concrete_fields
    check_columns(model, rows)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    params = [[field.get_db_prep_save(row[field.attname], connection) for field in fields] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def check_columns(model: type[Model], rows: list[demo.Row]) -> None:
    """A misspelt key in the demo data would otherwise be silently dropped or surface as a KeyError."""
    expected = {field.attname for field in model._meta.concrete_fields}
    for row in rows:
        if set(row) != expected:
            raise ValueError(
                f"demo row for {model._meta.db_table} has unexpected columns {sorted(set(row) - expected)} "
                f"and lacks {sorted(expected - set(row))}"
            )


def count_rows(connection: BaseDatabaseWrapper, model: type[Model]) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), COUNT(deleted_at) FROM {connection.ops.quote_name(model._meta.db_table)}")
        rows, deleted = cursor.fetchone()
    return rows, deleted
