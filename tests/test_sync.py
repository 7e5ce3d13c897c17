"""The sync engine through the real command: rows in both databases after each run."""

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from syncapp.engine.lock import SyncLock
from syncapp.models import Armateur, Client, Service, SyncRun, SyncState, SyncTableResult, VanishedRow
from tests.factories import ArmateurFactory, ClientFactory, ServiceFactory, TransitaireFactory, fac_now
from tests.mirror import differences, ops_rows, sync

BOTH = pytest.mark.django_db(databases=["default", "facturation"], transaction=True)


def result(table: str, run: SyncRun | None = None) -> SyncTableResult:
    run = run or SyncRun.objects.latest("started_at")
    return run.results.get(table=table)


@BOTH
def test_first_run_copies_every_value_verbatim(fac):
    untidy = ClientFactory(
        nom="  Olam Gabon 🚢  ",
        email="",
        ville=None,
        notes="l'« entrepôt » \\ n°3 " + "x" * 5000,
        updated_at=None,
    )
    deleted = ClientFactory(deleted_at=fac_now())
    ServiceFactory(code="MAN-20", prix_unitaire="85000.00")

    status, output = sync()

    assert status == 0, output
    assert differences(fac) == []
    client = Client.objects.get(pk=untidy["id"])
    assert (client.nom, client.email, client.ville) == ("  Olam Gabon 🚢  ", "", None)
    assert client.notes.startswith("l'« entrepôt » \\ n°3 ") and len(client.notes) == 5021
    assert Client.objects.get(pk=deleted["id"]).deleted_at is not None
    assert result("clients").inserted == 2
    assert "Run #" in output and "success" in output


@BOTH
def test_nothing_changed_means_nothing_written(fac):
    ClientFactory.create_batch(3)
    ClientFactory(updated_at=None)
    sync()
    synced = {c.pk: c.synced_at for c in Client.objects.all()}

    status, _ = sync()

    assert status == 0
    outcome = result("clients")
    assert (outcome.inserted, outcome.updated, outcome.deleted, outcome.restored) == (0, 0, 0, 0)
    assert {c.pk: c.synced_at for c in Client.objects.all()} == synced


@BOTH
def test_changes_in_the_same_second_as_the_last_run_are_not_lost(fac):
    second = fac_now()
    first = ClientFactory(updated_at=second)
    sync()
    # More rows, and an update, all stamped with the very second the cursor stands on.
    late = ClientFactory.create_batch(3, updated_at=second)
    fac.update("clients", first["id"], nom="Renommé", updated_at=second)

    sync()

    assert differences(fac) == []
    assert result("clients").inserted == 3
    assert {r["id"] for r in late} <= set(ops_rows("clients"))


@BOTH
def test_rows_without_a_usable_updated_at_reach_ops_once(fac):
    ClientFactory(updated_at=fac_now())
    sync()
    undated = ClientFactory(updated_at=None, created_at=None)

    sync()
    assert differences(fac) == []
    assert result("clients").inserted == 1
    synced_at = Client.objects.get(pk=undated["id"]).synced_at

    sync()
    assert result("clients").inserted == 0 and result("clients").updated == 0
    assert Client.objects.get(pk=undated["id"]).synced_at == synced_at


@pytest.mark.mariadb
@BOTH
def test_legacy_zero_dates_become_null(fac):
    ClientFactory(updated_at=fac_now())
    sync()
    row = ClientFactory(created_at="0000-00-00 00:00:00", updated_at="0000-00-00 00:00:00")

    sync()

    client = Client.objects.get(pk=row["id"])
    assert (client.created_at, client.updated_at) == (None, None)
    assert differences(fac) == []


@BOTH
def test_soft_delete_hard_delete_and_restore(fac):
    kept, soft, hard, back = ClientFactory.create_batch(4)
    sync()
    when = fac_now()
    fac.update("clients", soft["id"], deleted_at=when, updated_at=when)
    fac.hard_delete("clients", hard["id"])
    fac.update("clients", back["id"], deleted_at=when, updated_at=when)
    sync()
    assert result("clients").deleted == 3

    later = when + timedelta(seconds=1)
    fac.update("clients", back["id"], deleted_at=None, updated_at=later)
    sync()

    assert differences(fac) == []
    assert Client.objects.get(pk=soft["id"]).deleted_at == when.replace(tzinfo=UTC)
    vanished = Client.objects.get(pk=hard["id"])
    assert vanished.deleted_at is not None  # kept, marked when opsync noticed
    assert VanishedRow.objects.filter(table="clients", row_id=hard["id"]).exists()
    assert Client.objects.get(pk=back["id"]).deleted_at is None
    assert Client.objects.get(pk=kept["id"]).deleted_at is None
    assert result("clients").restored == 1
    assert Client.objects.count() == 4


@BOTH
def test_a_row_that_reappears_after_a_hard_delete_is_restored(fac):
    row = ArmateurFactory(code="MSC")
    sync()
    fac.hard_delete("armateurs", row["id"])
    sync()
    assert Armateur.objects.get(pk=row["id"]).deleted_at is not None

    fac.insert("armateurs", {"id": row["id"], "nom": "MSC", "code": "MSC", "updated_at": row["updated_at"]})
    sync()

    assert differences(fac) == []
    assert Armateur.objects.get(pk=row["id"]).deleted_at is None
    assert not VanishedRow.objects.filter(table="armateurs").exists()


@BOTH
def test_two_rows_swapping_codes_in_one_edit(fac):
    msc, maersk = ArmateurFactory(code="MSC"), ArmateurFactory(code="MAEU")
    first, second = ServiceFactory(code="MAN-20"), ServiceFactory(code="MAN-40")
    sync()
    later = fac_now() + timedelta(seconds=1)
    for table, a, b in (("armateurs", msc, maersk), ("services", first, second)):
        fac.execute("START TRANSACTION" if fac.connection.vendor == "mysql" else "BEGIN")
        fac.update(table, a["id"], code="swap-tmp")
        fac.update(table, b["id"], code=a["code"], updated_at=later)
        fac.update(table, a["id"], code=b["code"], updated_at=later)
        fac.execute("COMMIT")

    status, output = sync()

    assert status == 0, output
    assert differences(fac) == []
    assert Armateur.objects.get(pk=msc["id"]).code == "MAEU"
    assert Service.objects.get(pk=first["id"]).code == "MAN-40"


@BOTH
def test_a_code_freed_by_a_hard_delete_can_be_given_to_a_new_row(fac):
    old = ArmateurFactory(code="CMDU")
    sync()
    fac.hard_delete("armateurs", old["id"])
    new = ArmateurFactory(code="CMDU")

    status, output = sync()

    assert status == 0, output
    assert differences(fac) == []
    assert sorted(Armateur.objects.filter(code="CMDU").values_list("pk", flat=True)) == [old["id"], new["id"]]


@BOTH
def test_mass_delete_is_refused_then_confirmed(fac):
    rows = ClientFactory.create_batch(60)
    ServiceFactory()
    sync()
    for row in rows[:10]:  # 10 of 60 live rows: more than 10 % and more than the floor of 5
        fac.hard_delete("clients", row["id"])
    newcomer = ClientFactory()

    status, output = sync()

    assert status == 1
    assert "refused to mark 10 of 60 live rows deleted" in output
    assert "--allow-mass-delete" in output
    assert Client.objects.filter(deleted_at__isnull=False).count() == 0
    assert not Client.objects.filter(pk=newcomer["id"]).exists()  # the table applied nothing
    assert result("clients").status == SyncTableResult.Status.FAILED
    assert result("services").status == SyncTableResult.Status.SUCCESS

    status, output = sync("--allow-mass-delete")

    assert status == 0, output
    assert differences(fac) == []


@BOTH
def test_an_emptied_fac_table_does_not_wipe_ops(fac):
    ArmateurFactory.create_batch(8)
    sync()
    fac.execute("DELETE FROM armateurs")

    status, _ = sync()

    assert status == 1
    assert Armateur.objects.filter(deleted_at__isnull=True).count() == 8


@BOTH
def test_small_deletions_pass_the_guard(fac):
    rows = ArmateurFactory.create_batch(8)
    sync()
    fac.hard_delete("armateurs", rows[0]["id"])  # 1 of 8 is 12 %, under the floor of 5 rows

    status, output = sync()

    assert status == 0, output
    assert differences(fac) == []


@BOTH
def test_force_repairs_a_mirror_edited_by_hand(fac):
    row = ClientFactory(nom="Setrag", updated_at=fac_now() - timedelta(hours=2))
    ClientFactory()  # the cursor moves to now: the first row is out of the look-back window
    sync()
    Client.objects.filter(pk=row["id"]).update(nom="edited in OPS")

    sync()
    assert Client.objects.get(pk=row["id"]).nom == "edited in OPS"  # unchanged in FAC: not re-read

    status, _ = sync("--force")

    assert status == 0
    assert Client.objects.get(pk=row["id"]).nom == "Setrag"
    assert result("clients").updated == 1 and result("clients").unchanged == 1
    assert SyncRun.objects.latest("started_at").mode == SyncRun.Mode.FORCE


@BOTH
def test_dry_run_shows_the_exact_changes_and_writes_nothing(fac):
    _kept, renamed, gone = ClientFactory.create_batch(3)
    sync()
    state_before = SyncState.objects.get(table="clients").cursor
    later = fac_now() + timedelta(seconds=1)
    fac.update("clients", renamed["id"], nom="Nouveau nom", updated_at=later)
    fac.hard_delete("clients", gone["id"])
    added = ClientFactory(updated_at=later)
    before = ops_rows("clients")

    status, output = sync("--dry-run", "-v", "2")

    assert status == 0
    assert ops_rows("clients") == before
    assert SyncState.objects.get(table="clients").cursor == state_before
    preview = result("clients")
    assert preview.run.dry_run is True
    assert (preview.inserted, preview.updated, preview.deleted) == (1, 1, 1)
    assert f"clients #{renamed['id']}: updated, columns updated_at, nom" in output
    assert f"clients #{added['id']}: insert" in output
    assert f"clients #{gone['id']}: delete" in output

    sync()
    applied = result("clients")
    assert (applied.inserted, applied.updated, applied.deleted) == (1, 1, 1)
    assert differences(fac) == []


@BOTH
def test_only_the_tables_asked_for(fac):
    ClientFactory()
    ServiceFactory()
    TransitaireFactory()

    status, _ = sync("--table", "clients", "--table", "services,transitaires")
    assert status == 0
    assert set(SyncRun.objects.get().results.values_list("table", flat=True)) == {
        "clients",
        "services",
        "transitaires",
    }
    status, _ = sync("--table", "services")
    assert list(SyncRun.objects.latest("started_at").results.values_list("table", flat=True)) == ["services"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ("--table", "clientz"),
        ("--table", "clients,fournisseurs"),
        ("--status", "--force"),
        ("--status", "--dry-run"),
        ("--check", "--force"),
    ],
)
def test_bad_usage_exits_2_with_the_valid_tables(args):
    status, output = sync(*args)
    assert status == 2
    if "--table" in args:
        assert "valid tables: clients, transitaires, armateurs, representants, services" in output
    assert not SyncRun.objects.exists()


@BOTH
def test_bare_v_is_v_2(fac):
    row = ClientFactory()
    status, output = sync("-v")
    assert status == 0
    assert f"clients #{row['id']}: insert" in output


@BOTH
def test_status_reports_each_table_and_exits_2_when_stale(fac):
    ClientFactory.create_batch(2)
    ClientFactory(deleted_at=fac_now())
    sync()

    status, output = sync("--status")
    assert status == 0, output
    first, *rest = output.splitlines()
    assert first.startswith("OPSYNC OK - 5 tables in step | 'clients_age'=")
    assert "'clients_rows'=2;;;0" in first  # perfdata: OPS live rows
    assert "FAC connection: reachable" in output
    line = next(line for line in rest if line.startswith("clients"))
    assert re.search(r" 2 +1 +3 ", line)  # OPS live, deleted, FAC rows, right-aligned
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WAT", line)  # times with their zone

    SyncState.objects.filter(table="services").update(last_success_at=datetime(2020, 1, 1, tzinfo=UTC))
    status, output = sync("--status")
    assert status == 2
    assert output.startswith("OPSYNC CRITICAL - “services” has not been synced for more than 15 minutes")
    assert re.search(r"^services +CRITICAL ", output, re.MULTILINE)


@BOTH
def test_every_run_is_recorded_and_logged(fac, settings):
    ClientFactory()
    sync()
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.SUCCESS and run.finished_at is not None
    assert run.inserted == 1 and run.results.count() == 5
    log = settings.SYNC_LOG_FILE.read_text()
    assert f"run #{run.pk} start" in log
    assert f"run #{run.pk} clients success inserted=1" in log
    assert f"run #{run.pk} success" in log


@BOTH
def test_progress_is_shown_only_on_a_terminal(fac):
    class Terminal(StringIO):
        def isatty(self):
            return True

    ClientFactory.create_batch(3)
    terminal, pipe = Terminal(), StringIO()
    call_command("sync_from_facturation", "--force", stdout=terminal)
    call_command("sync_from_facturation", "--force", stdout=pipe)
    assert "\r  clients\xa0: 3/3 lignes comparées" in terminal.getvalue()  # LANGUAGE_CODE=fr, the default
    assert "\r" not in pipe.getvalue()


@BOTH
def test_a_second_run_is_skipped_while_another_holds_the_lock(fac):
    ClientFactory()
    holder = SyncRun.objects.create(status=SyncRun.Status.RUNNING, host="cron-1", pid=4242)
    lock = SyncLock()
    assert lock.acquire()
    try:
        status, output = sync()
    finally:
        lock.release()

    assert status == 0
    assert output.startswith(f"Skipped: run #{holder.pk} (host cron-1, pid 4242, started ")
    assert output.strip().endswith("holds the lock.")
    assert len(output.strip().splitlines()) == 1
    skipped = SyncRun.objects.latest("started_at")
    assert skipped.status == SyncRun.Status.SKIPPED and not Client.objects.exists()
    holder.refresh_from_db()
    assert holder.status == SyncRun.Status.RUNNING  # alive as far as we know: its lock was held

    assert sync()[0] == 0  # once the lock is free, the run goes ahead
    holder.refresh_from_db()
    assert holder.status == SyncRun.Status.ABANDONED
    assert Client.objects.count() == 1
