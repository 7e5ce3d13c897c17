"""--verify: OPS compared with FAC by range checksums, read-only; --force then repairs."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from syncapp.common.messages import render
from syncapp.models import Armateur, Client, SyncRun
from syncapp.running.cron import scheduled_daily
from syncapp.sql import canonical, rows, sums
from syncapp.status.selectors import sync_status
from tests import backend
from tests.fac import FacWriter
from tests.factories import ArmateurFactory, ClientFactory, ServiceFactory, fac_now
from tests.mirror import differences, fac_rows, ops_rows, resolved, sync

BOTH = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)


def latest() -> SyncRun:
    return SyncRun.objects.latest("started_at")


@BOTH
def test_an_identical_mirror_verifies_and_nothing_is_written(fac):
    ClientFactory.create_batch(5, notes="é🚢 \\ '")
    ClientFactory(deleted_at=fac_now(), updated_at=None)
    ServiceFactory.create_batch(3)
    gone = ArmateurFactory()
    sync()
    fac.hard_delete("armateurs", gone["id"])
    sync()  # the vanished row is marked in OPS: not a difference
    before = {table: ops_rows(table) for table in ("clients", "armateurs")}

    status, output = sync("--verify")

    assert status == 0, output
    assert "Verification #" in output and "OPS is equal to FAC" in output
    assert "clients        6 rows identical, 0 differ" in output
    run = latest()
    assert (run.mode, run.status, run.errors) == ("verify", "success", 0)
    assert {table: ops_rows(table) for table in ("clients", "armateurs")} == before


@BOTH
def test_every_kind_of_difference_is_found_listed_and_repaired_by_force(fac):
    edited, removed, undated, kept = ClientFactory.create_batch(4, updated_at=fac_now() - timedelta(hours=2))
    swap_a, swap_b = ArmateurFactory(code="MSC"), ArmateurFactory(code="MAEU")
    sync()
    Client.objects.filter(pk=edited["id"]).update(nom="changé dans OPS")
    Client.objects.filter(pk=removed["id"]).delete()
    Client.objects.create(id=99_999, nom="inconnu de FAC", pays="Gabon", type="Entreprise")
    fac.update("clients", undated["id"], email="nouveau@exemple.ga")  # by hand: updated_at untouched
    fac.execute("START TRANSACTION" if fac.connection.vendor == "mysql" else "BEGIN")
    fac.update("armateurs", swap_a["id"], code="tmp")
    fac.update("armateurs", swap_b["id"], code="MSC")
    fac.update("armateurs", swap_a["id"], code="MAEU")
    fac.execute("COMMIT")

    status, output = sync("--verify", "-v", "2")

    assert status == 1
    assert f"clients #{removed['id']}: missing in OPS" in output
    assert f"clients #{edited['id']}: differs in column nom" in output
    assert f"clients #{undated['id']}: differs in column email" in output
    assert "clients #99999: not in FAC" in output
    assert (
        f"armateurs #{swap_a['id']}: differs in column code" in output
        and f"armateurs #{swap_b['id']}: differs in column code" in output
    )
    assert f"clients #{kept['id']}" not in output
    run = latest()
    assert run.status == "failed" and run.errors == 6 and "a full run repairs it" in run.error
    # The record says what the command said: every reader renders the run from it.
    recorded = {result.table: (result.differences, len(result.changes)) for result in run.results.all()}
    assert recorded["clients"] == (4, 4) and recorded["armateurs"] == (2, 2)
    assert Client.objects.get(pk=edited["id"]).nom == "changé dans OPS"  # verify writes nothing
    assert Armateur.objects.get(pk=swap_a["id"]).code == "MSC"

    assert sync("--force")[0] == 0
    status, output = sync("--verify")
    assert status == 0, output
    assert Client.objects.get(pk=99_999).deleted_at is not None  # not in FAC: kept, marked deleted
    assert differences(fac) == []


@BOTH
def test_the_daily_verification_is_recorded_and_mailed(fac, settings):
    settings.ADMINS = [("Exploitation", "exploitation@example.ga")]
    settings.SYNC_DAILY = "verify"  # compare only, as before the daily repair
    row = ClientFactory()
    sync()
    Client.objects.filter(pk=row["id"]).update(email="faux@exemple.ga")

    scheduled_daily()

    run = latest()
    assert (run.trigger, run.mode, run.status) == ("cron", "verify", "failed")
    assert len(mail.outbox) == 1 and "OPS diffère de FAC\xa0: clients (1)" in mail.outbox[0].body  # LANGUAGE_CODE=fr
    assert Client.objects.get(pk=row["id"]).email == "faux@exemple.ga"


@BOTH
def test_the_daily_check_repairs_what_differs_and_mails_the_ids(fac, settings):
    settings.ADMINS = [("Exploitation", "exploitation@example.ga")]
    edited, silent, kept = ClientFactory.create_batch(3, updated_at=fac_now() - timedelta(hours=2))
    ClientFactory(updated_at=fac_now())  # the cursor moves past the others
    sync()
    Client.objects.filter(pk=edited["id"]).update(email="faux@exemple.ga")  # OPS edited by hand
    fac.update("clients", silent["id"], nom="corrigé dans FAC")  # FAC fixed silently: updated_at untouched
    assert sync()[0] == 0 and Client.objects.get(pk=silent["id"]).nom != "corrigé dans FAC"  # incremental misses it

    scheduled_daily()

    run = latest()
    assert (run.trigger, run.mode, run.status, run.updated) == ("cron", "repair", "success", 2)
    assert differences(fac) == []
    assert {change["id"] for change in run.results.get(table="clients").changes} == {edited["id"], silent["id"]}
    repaired = [m for m in mail.outbox if "la vérification quotidienne a corrigé OPS" in m.subject]
    assert len(repaired) == 1
    body = repaired[0].body  # in French, as LANGUAGE_CODE says
    assert f"n°\xa0{edited['id']} (email)" in body and f"n°\xa0{silent['id']} (nom)" in body
    assert f"n°\xa0{kept['id']} " not in body and "clients\xa0: 2" in body

    mail.outbox.clear()
    scheduled_daily()  # nothing left to repair: no mail
    assert latest().changed == 0 and mail.outbox == []


@pytest.mark.mariadb
@BOTH
def test_mysql_and_python_hash_the_same_canonical_text(fac):
    """So a FAC on one engine and an OPS on the other still compare equal when equal."""
    ClientFactory(nom="  Olam 🚢 ", email="", notes=None, updated_at="0000-00-00 00:00:00", solde="12.50")
    ClientFactory(nom="l'« entrepôt » \\ n°3", notes="x" * 5000, deleted_at=fac_now())
    ArmateurFactory(code=None, actif=False)
    ServiceFactory(prix_unitaire="85000.00", description="")
    for name in ("clients", "armateurs", "services"):
        mapping = resolved(name)
        in_sql = sums.row_hashes(mapping.fac, mapping.fields, 0, 10**9)
        fac_rows = [row for batch in rows.stream_between(mapping.fac, 0, 10**9, batch_size=100) for row in batch]
        in_python = {row[0]: canonical.row_hash(mapping.fields, row) for row in fac_rows}
        assert in_sql == in_python, name


@BOTH
def test_force_repairs_every_tampering_verify_reports(fac):
    """The five ways OPS can be edited behind the sync's back: each reported, all repaired."""
    unmarked, marked, removed, edited, kept, gone = ClientFactory.create_batch(6)
    sync()
    fac.hard_delete("clients", gone["id"])
    sync()  # gone from FAC: kept in OPS, marked deleted, remembered as vanished
    Client.objects.filter(pk=gone["id"]).update(deleted_at=None)  # 1. a vanished row made live again
    Client.objects.filter(pk=marked["id"]).update(deleted_at=timezone.now())  # 2. a live row marked deleted
    Client.objects.filter(pk=removed["id"]).delete()  # 3. a row physically deleted
    Client.objects.create(id=99_999, nom="inconnu de FAC", pays="Gabon", type="Entreprise")  # 4. an extra row
    Client.objects.filter(pk=edited["id"]).update(nom="changé dans OPS")  # 5. a column changed

    status, output = sync("--verify", "-v", "2")

    assert status == 1
    assert f"clients #{gone['id']}: gone from FAC, not marked deleted" in output
    assert f"clients #{marked['id']}: differs in column deleted_at" in output
    assert f"clients #{removed['id']}: missing in OPS" in output
    assert "clients #99999: not in FAC" in output
    assert f"clients #{edited['id']}: differs in column nom" in output
    assert f"clients #{kept['id']}" not in output and f"clients #{unmarked['id']}" not in output
    assert latest().errors == 5

    status, output = sync("--force")
    assert status == 0, output
    assert latest().results.get(table="clients").changed == 5

    status, output = sync("--verify")
    assert status == 0, output
    assert "OPS is equal to FAC" in output
    assert differences(fac) == []
    assert Client.objects.get(pk=gone["id"]).deleted_at is not None
    assert Client.objects.get(pk=99_999).deleted_at is not None
    assert sync("--force")[0] == 0 and latest().results.get(table="clients").changed == 0


@BOTH
def test_status_keeps_a_verifications_difference_until_a_full_run_repairs_it(fac, settings):
    """A FAC commit stamped before the look-back (a transaction left open longer than it) is
    missed by the incremental runs: --verify finds it, and --status must go on saying so after
    the next incremental run succeeds (before: « OPSYNC OK » while --verify exited 1)."""
    late = ClientFactory()
    ServiceFactory()
    sync()
    stamped = fac_now() - timedelta(seconds=settings.SYNC_LOOKBACK_SECONDS + 300)
    fac.update("clients", late["id"], nom="commis en retard", updated_at=stamped)
    assert sync()[0] == 0
    assert ops_rows("clients")[late["id"]] != fac_rows(fac, "clients")[late["id"]], "the look-back missed it"

    assert sync("--verify")[0] == 1
    assert sync()[0] == 0  # the next incremental run succeeds, and still misses it
    status, output = sync("--status")

    assert status == 1, output  # WARNING, not OK
    first = output.splitlines()[0]
    assert first.startswith("OPSYNC WARNING") and "clients" in first, output
    assert "found 1 row of clients different in OPS" in first
    (problem,) = sync_status(check_fac=False).problems  # as the dashboard says it, with what to do
    assert problem.kind == "differs" and "--force --table clients" in render(problem.advice)

    assert sync("--force", "--table", "clients")[0] == 0
    status, output = sync("--status")
    assert status == 0 and output.startswith("OPSYNC OK"), output
    assert differences(fac) == []


@pytest.fixture
def reader_sees_transactions(fac):
    """The FAC reader with the PROCESS grant that the guide offers (information_schema.innodb_trx)."""
    reader = f"'{backend.READER_USER}'@'%%'"  # %% : the statement goes through a %-format
    fac.execute(f"GRANT PROCESS ON *.* TO {reader}")
    connections["facturation"].close()  # the grant applies to the reader's next session
    yield
    fac.execute(f"REVOKE PROCESS ON *.* FROM {reader}")
    connections["facturation"].close()


@pytest.mark.mariadb
@BOTH
@pytest.mark.parametrize("watched", [False, True], ids=["look-back-only", "open-transactions-seen"])
def test_a_fac_transaction_open_longer_than_the_look_back_arrives_when_it_commits(
    fac, settings, reader_sees_transactions, watched
):
    """The billing application writes a client in a transaction it leaves open longer than the
    look-back (1 s here, 10 minutes by default); a later change, committed at once, moves the
    cursor past the open row's updated_at. With SYNC_LOOKBACK_OPEN_TRANSACTIONS the runs see the
    open transaction and hold their cursors before it: the row arrives after its commit. Without
    it, the row is missed until a full run (--verify finds it)."""
    settings.SYNC_LOOKBACK_SECONDS = 1
    settings.SYNC_LOOKBACK_OPEN_TRANSACTIONS = watched
    late, other = ClientFactory.create_batch(2, updated_at=fac_now() - timedelta(minutes=5))
    assert sync()[0] == 0
    billing = FacWriter()
    try:
        billing.execute("START TRANSACTION")
        billing.update("clients", late["id"], nom="écrit tôt, validé tard", updated_at=fac_now())
        time.sleep(3)  # longer than the look-back
        fac.update("clients", other["id"], nom="validé à temps", updated_at=fac_now())
        time.sleep(1.1)
        assert sync()[0] == 0  # the change committed in time arrives; the open one is not visible
        assert ops_rows("clients")[other["id"]] == fac_rows(fac, "clients")[other["id"]]
        billing.execute("COMMIT")
    finally:
        billing.close()

    assert sync()[0] == 0

    arrived = ops_rows("clients")[late["id"]] == fac_rows(fac, "clients")[late["id"]]
    assert arrived is watched
    assert (differences(fac) == []) is watched


@pytest.mark.mariadb
@BOTH
def test_open_transactions_asked_of_a_reader_without_the_grant_leave_the_look_back_as_it_is(fac, settings):
    """SYNC_LOOKBACK_OPEN_TRANSACTIONS=true where FAC's administrator did not grant PROCESS: the
    runs go on as without it, and the log says why."""
    settings.SYNC_LOOKBACK_OPEN_TRANSACTIONS = True
    ClientFactory()
    status, output = sync()
    assert status == 0, output
    assert differences(fac) == []
    log = settings.SYNC_LOG_FILE.read_text(encoding="utf-8")
    assert "the FAC reader lacks the PROCESS grant" in log
