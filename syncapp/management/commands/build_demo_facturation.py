"""`build_demo_facturation`: a demo FAC database, so that opsync can be tried without the billing app.

SQLite by default (the quickstart); MySQL when FAC_DB_CONNECTION=mysql, to rehearse the
production set-up. The building itself, which never writes through the read-only `facturation`
alias, is in syncapp/demo/builder.py; the data in syncapp/demo/data.py.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from syncapp.common.aliases import FAC_ALIAS
from syncapp.common.formats import number
from syncapp.demo import data as demo
from syncapp.demo.builder import (
    SQLITE_ENGINE,
    DemoBuildError,
    fac_sqlite_path,
    file_build,
    mysql_connection_open,
    mysql_fill,
    target_check,
)
from syncapp.management.help import TranslatedHelp

PASSWORD_VARIABLE = "FAC_DB_ADMIN_PASSWORD"  # noqa: S105 (the variable that holds it: never on the command line)


class Command(TranslatedHelp):
    help = gettext_lazy(  # type: ignore[assignment]
        "Build a demo FAC (billing) database with realistic Gabonese reference data: a SQLite file, or, when "
        "FAC_DB_CONNECTION=mysql, FAC's MySQL database (as --user, who may write there). Never writes through the "
        "read-only 'facturation' connection."
    )

    def add_arguments(self, parser) -> None:  # its helps are lazy texts, which TranslatedHelp makes str
        path = gettext_lazy("SQLite file to create (default: the 'facturation' database's file)")
        parser.add_argument("--path", help=path)
        overwrite = gettext_lazy("replace the file, or the rows, already there")
        parser.add_argument("--overwrite", action="store_true", help=overwrite)
        user = format_lazy(
            gettext_lazy(
                "MySQL: a user who may create tables and write in FAC's database (default root; its password in "
                "the {variable} variable)"
            ),
            variable=PASSWORD_VARIABLE,
        )
        parser.add_argument("--user", default="root", help=user)
        seed = format_lazy(gettext_lazy("random seed (default {seed})"), seed=demo.DEFAULT_SEED)
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help=seed)
        clients = format_lazy(
            gettext_lazy("number of clients (default {clients}, at least {least})"),
            clients=demo.DEFAULT_CLIENTS,
            least=demo.MIN_CLIENTS,
        )
        parser.add_argument("--clients", type=int, default=demo.DEFAULT_CLIENTS, help=clients)

    def handle(self, *args, path: str | None, overwrite: bool, user: str, seed: int, clients: int, **options):
        if clients < demo.MIN_CLIENTS:
            raise CommandError(f"--clients must be at least {demo.MIN_CLIENTS} (got {clients}).")
        fac = settings.DATABASES[FAC_ALIAS]
        dataset = demo.dataset_build(seed=seed, clients=clients)
        try:
            if path is None and fac["ENGINE"] != SQLITE_ENGINE:  # MySQL, through FAC's reader backend
                connection = mysql_connection_open(fac, user=user, password=os.environ.get(PASSWORD_VARIABLE, ""))
                counts = mysql_fill(connection, dataset, overwrite)
                target = _("the MySQL database %(name)s on %(host)s:%(port)s") % {
                    "name": fac["NAME"],
                    "host": fac["HOST"],
                    "port": fac["PORT"],
                }
            else:
                file = Path(path).expanduser().resolve() if path else fac_sqlite_path(fac)
                target_check(file, overwrite)
                counts = file_build(file, dataset, overwrite)
                target = str(file)
        except DemoBuildError as exc:
            raise CommandError(str(exc)) from None
        for table, (rows, deleted) in counts.items():
            in_all = ngettext("%(table)s: %(rows)s row", "%(table)s: %(rows)s rows", rows)
            of_them = ngettext("of which %(deleted)s soft-deleted", "of which %(deleted)s soft-deleted", deleted)
            values = {"table": table, "rows": number(rows), "deleted": number(deleted)}
            self.stdout.write(f"{in_all % values}, {of_them % values}")
        self.stdout.write(self.style.SUCCESS(_("Demo FAC database written to %(target)s") % {"target": target}))
