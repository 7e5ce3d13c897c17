"""Refused rows are kept to a bound: the first ones described, all of them counted, on every surface.

2 000 rows OPS cannot store (FAC's nom widened past OPS's 255 characters), retried on every run:
the records, the log, the command, the dashboard and the run's page stay the same size.
"""

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.urls import reverse

from syncapp.engine.outcome import ROW_ERRORS_KEPT
from syncapp.models import SyncRun, SyncState
from tests.fac import create_mariadb_fac
from tests.mirror import sync

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(databases=["default", "facturation"], transaction=True)]


@pytest.fixture
def wide_fac(fac):
    fac.execute("ALTER TABLE clients MODIFY nom VARCHAR(300) NOT NULL")
    yield fac
    connections["facturation"].close()
    create_mariadb_fac()


def refuse(fac, count: int) -> None:
    """`count` clients whose name OPS cannot hold, inserted set-based."""
    fac.execute(
        "INSERT INTO clients (nom, pays, type, solde, limite_credit, updated_at) "
        "SELECT REPEAT('N', 300), 'Gabon', 'Entreprise', 0, 0, UTC_TIMESTAMP() FROM seq_1_to_10000 WHERE seq <= %s",
        [count],
    )


def dashboard_size(client) -> int:
    return len(client.get("/admin/syncapp/dashboard/").content)


def test_two_thousand_refused_rows_keep_every_surface_bounded(client, wide_fac, settings):
    client.force_login(User.objects.create_superuser("chef", "chef@example.ga", "x"))
    refuse(wide_fac, 20)
    assert sync()[0] == 1
    small = dashboard_size(client)
    refuse(wide_fac, 1980)

    for _ in range(2):  # refused again on every run: still bounded
        status, output = sync()
        assert status == 1

    result = SyncRun.objects.latest("started_at").results.get(table="clients")
    assert (result.refused, len(result.row_errors)) == (2000, ROW_ERRORS_KEPT)
    assert len(SyncState.objects.get(table="clients").retry_ids) == 2000  # all read again next run
    # One line per reason, naming the first rows, then the count of the rest.
    assert output.count("not stored") == 1 and "100 rows not stored: value too long for column nom (#" in output
    assert "clients: … and 1,900 more rows refused" in output
    log = settings.SYNC_LOG_FILE.read_text().splitlines()
    assert sum("not stored" in line for line in log) <= 3 * (ROW_ERRORS_KEPT + 1)
    assert dashboard_size(client) - small < 2_000  # the same page, whatever the number of rows refused
    run_page = client.get(reverse("admin:syncapp_syncrun_change", args=[result.run_id])).content.decode()
    assert len(run_page) < 100_000 and "… et 1\xa0900 autres lignes refusées" in run_page  # French: a no-break space
    assert run_page.count("valeur trop longue pour la colonne nom") == 1  # grouped by reason
