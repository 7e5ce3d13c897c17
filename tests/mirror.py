"""Helpers to run the command and compare the mirror with FAC, row by row."""

import os
import time
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connections
from django.test import override_settings
from django.utils import translation

from syncapp.config.mapping import TableMapping, mapping_for, mappings, tables_resolve
from syncapp.engine.mirror_tables import MirrorsNotMade
from syncapp.models import SyncRun
from tests import statements
from tests.fac import FacWriter


def sync(*args: str, language: str = "en") -> tuple[int, str]:
    """Run sync_from_facturation as cron would; (exit status, everything it printed).

    In English unless asked: the behaviour tests read English; tests/test_french.py reads French.
    """
    out, err = StringIO(), StringIO()
    try:
        with translation.override(language):
            call_command("sync_from_facturation", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + err.getvalue() + str(exc)
    return 0, out.getvalue() + err.getvalue()


def migrate(*args: str, language: str = "en") -> tuple[int, str]:
    """`manage.py migrate` as an operator runs it: (exit status, what it printed). Its lines about the
    mirrors speak LANGUAGE_CODE: English here unless asked, as sync() does."""
    out = StringIO()
    try:
        with override_settings(LANGUAGE_CODE=language):
            call_command("migrate", *args, verbosity=0, stdout=out)
    except MirrorsNotMade as exc:  # manage.py prints each line and exits 1
        return 1, out.getvalue() + "".join(f"opsync: {line}\n" for line in exc.lines)
    return 0, out.getvalue()


def resolved(table: str) -> TableMapping:
    """A table's declaration resolved against FAC's schema as it is now, as a run resolves it at its start."""
    return tables_resolve([table])[0][0]


def ops_rows(table: str) -> dict[int, tuple]:
    mapping = mapping_for(table)
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute(statements.select_statement(connection, mapping.ops_table, mapping.columns))
        return {row[0]: row for row in cursor.fetchall()}


def fac_rows(fac: FacWriter, table: str) -> dict[int, tuple]:
    mapping = mapping_for(table)
    return {row[0]: row for row in fac.select(mapping.fac_table, mapping.columns)}


def differences(fac: FacWriter) -> list[str]:
    """Every way the mirror is not FAC: a row missing or different, a vanished row not marked."""
    found = []
    for mapping in mappings():
        source, mirror = fac_rows(fac, mapping.name), ops_rows(mapping.name)
        deleted_at = mapping.columns.index("deleted_at")
        for row_id, row in source.items():
            if mirror.get(row_id) != row:
                found.append(f"{mapping.name} #{row_id}: FAC {row} != OPS {mirror.get(row_id)}")
        for row_id in mirror.keys() - source.keys():
            if mirror[row_id][deleted_at] is None:
                found.append(f"{mapping.name} #{row_id}: gone from FAC but not marked deleted in OPS")
    return found


def check_lines_of(output: str, table: str) -> list[str]:
    """--check's lines for a table, less its note on FAC's missing index on updated_at (which the test
    FAC has not: tests/test_watch_targeted.py reads that note): [] when the table fits."""
    lines = [line for line in output.splitlines() if line.startswith(f"{table}:")]
    return [line for line in lines if "_updated_at_index" not in line and line != f"{table}: ok"]


def subprocess_env(**overrides: str) -> dict[str, str]:
    """The environment for a manage.py child process on the test databases (opsync's own settings).

    In English unless asked (LANGUAGE_CODE="fr"), as sync() runs the command in-process.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "opsync.settings",
        "DB_DATABASE": str(connections["default"].settings_dict["NAME"]),
        "LANGUAGE_CODE": "en",
    }
    return env | overrides


def finished(run: SyncRun, seconds: float = 60) -> SyncRun:
    """The run, once its own process has ended it (the dashboard's buttons do not wait for it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status not in (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run #{run.pk} still {run.status} after {seconds} s")


ADMIN_PAGES = """
import json, sys
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.contrib.auth.models import User
from django.test import Client
client = Client()
client.force_login(User.objects.create_superuser("mapping-admin", password="unused-9f3a"))
pages = {url: client.get(url) for url in sys.argv[1:]}
print(json.dumps({url: [response.status_code, response.content.decode()] for url, response in pages.items()}))
"""


def admin_pages(mapping_file: str, *urls: str) -> dict[str, tuple[int, str]]:
    """(status, HTML) of each admin page, read by a superuser in a process started with the mapping
    file, as the web server would be (the admin's models of adopted and declared tables are built so)."""
    import json
    import subprocess
    import sys

    from tests.fac import ROOT

    done = subprocess.run([sys.executable, "-c", ADMIN_PAGES, *urls], cwd=ROOT, capture_output=True, text=True,
                          env=subprocess_env(SYNC_MAPPING_FILE=mapping_file), check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {url: tuple(page) for url, page in json.loads(done.stdout.strip().splitlines()[-1]).items()}
