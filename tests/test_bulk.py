"""The first copy by LOAD DATA LOCAL INFILE, and its fallbacks (MariaDB only)."""

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from syncapp.engine.bulk import staging
from syncapp.engine.outcome import RunContext, SyncOptions
from syncapp.engine.table import table_sync
from syncapp.models import Client, SyncRun, SyncTableResult
from tests.fac import server_local_infile
from tests.factories import ClientFactory, fac_now
from tests.mirror import differences, resolved, subprocess_env, sync
from tests.sessions import poll, run_child, start_child

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(databases=["default", "facturation"], transaction=True)]


def test_values_survive_the_tab_separated_file(fac):
    ClientFactory(nom="tab\there", notes="line\nbreak\r\n and \\N and \\ and \0 nul 🚢", email="\\N")
    ClientFactory(created_at="0000-00-00 00:00:00", updated_at="0000-00-00 00:00:00", notes="")
    ClientFactory(nom="x", notes="y" * 5000, deleted_at=fac_now(), solde="-12.50")

    with server_local_infile(True):  # as the server has it: another suite may not switch it off meanwhile
        outcome = table_sync(mapping=resolved("clients"), context=RunContext(SyncOptions()))

    assert (outcome.error, outcome.inserted, outcome.loaded) == ("", 3, 3)  # all three by LOAD DATA
    assert differences(fac) == []
    assert Client.objects.get(nom="tab\there").email == "\\N"  # the text, not a NULL
    assert Client.objects.filter(updated_at__isnull=True).count() == 1


def test_a_load_with_a_value_ops_cannot_hold_falls_back_to_rows(fac):
    fac.execute("ALTER TABLE clients MODIFY nom VARCHAR(300) NOT NULL")
    try:
        good = ClientFactory.create_batch(3)
        bad = ClientFactory(nom="N" * 300)

        status, _ = sync()  # LOAD DATA LOCAL would cut the value with a mere warning

        result = SyncTableResult.objects.get(table="clients")
        assert status == 1 and result.inserted == 3  # then copied row by row
        assert [e["id"] for e in result.row_errors] == [bad["id"]]
        assert set(Client.objects.values_list("pk", flat=True)) == {g["id"] for g in good}
    finally:
        fac.execute("ALTER TABLE clients MODIFY nom VARCHAR(255) NOT NULL")
        fac.execute("DELETE FROM clients WHERE CHAR_LENGTH(nom) > 255")


def test_without_local_infile_the_copy_still_happens(fac):
    ClientFactory.create_batch(5)
    context = RunContext(SyncOptions())
    with server_local_infile(False):
        outcome = table_sync(mapping=resolved("clients"), context=context)

    assert (outcome.error, outcome.inserted, outcome.loaded) == ("", 5, 0)
    assert context.load_data_refused is True
    assert differences(fac) == []


def staged_files() -> set[Path]:
    """The files of FAC's rows staged for this OPS database (not another suite's, sharing the server)."""
    folder = staging()
    assert folder is not None
    return set(folder.glob("*.tsv"))


def sixty_thousand_clients(fac) -> set[Path]:
    """FAC's clients for a first copy long enough to be caught in the middle; the files staged before."""
    fac.execute(
        "INSERT INTO clients (id, nom, pays, type, solde, limite_credit, notes, created_at, updated_at) "
        "SELECT seq, CONCAT('Client ', seq), 'Gabon', 'Entreprise', 0, 0, REPEAT('n', 1000), %s, %s "
        "FROM seq_1_to_60000",
        [fac_now(), fac_now()],
    )
    return staged_files()


def test_a_first_copy_killed_leaves_its_staged_rows_and_the_next_run_removes_them(fac):
    """kill -9 in the middle of a first copy left the file of FAC's rows it was loading (16 MB of
    clients, 5 times in 10) in the temporary folder for good. The next run, under the sync's lock,
    removes what an earlier one staged (each OPS database stages in a folder of its own)."""
    before = sixty_thousand_clients(fac)
    child = start_child("--table", "clients")
    try:
        staged = poll(lambda: staged_files() - before, "a file of FAC's rows")
    finally:
        child.kill()
        child.communicate(timeout=60)
    assert all(path.exists() for path in staged)  # what the killed run left

    done = run_child("--table", "clients")

    assert done.returncode == 0, done.stdout + done.stderr
    assert not any(path.exists() for path in staged)
    assert not staged_files() - before  # nor one of its own
    assert Client.objects.count() == 60000


def test_sigterm_in_a_first_copy_stops_it_cleanly_within_seconds(fac):
    """SIGTERM to a one-shot run (cron's when the machine stops, `systemctl stop` during a manual one)
    ended it at once: nothing said, its record « running » until the next run, its staged rows left.
    Now it stops as the watcher does: the table rolled back, the run recorded as stopped, said, and
    nothing left behind."""
    before = sixty_thousand_clients(fac)
    child = start_child("--table", "clients", LANGUAGE_CODE="en")
    try:
        staged = poll(lambda: staged_files() - before, "a file of FAC's rows")
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()

    assert child.returncode == 1 and "Traceback" not in out + err, out + err
    assert "stopped as asked (SIGTERM) before the end of: clients" in out + err, out + err
    run = SyncRun.objects.latest("pk")
    assert run.status == SyncRun.Status.STOPPED
    assert Client.objects.count() == 0  # the table in hand rolled back whole
    assert not any(path.exists() for path in staged)


def test_sigterm_to_crons_run_stops_it_cleanly_too(fac, settings):
    """Cron's run is `manage.py crontab run <hash>`, which calls the scheduled job without the command:
    it takes SIGTERM as a stop all the same (the machine shutting down in the middle of it)."""
    from django_crontab.crontab import Crontab

    before = sixty_thousand_clients(fac)
    job_hash = Crontab()._Crontab__hash_job(settings.CRONJOBS[0])  # the sync's line, as django-crontab names it
    cron = [sys.executable, "manage.py", "crontab", "run", job_hash]
    child = subprocess.Popen(cron, cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        staged = poll(lambda: staged_files() - before, "a file of FAC's rows")
        child.send_signal(signal.SIGTERM)
        child.communicate(timeout=30)
    finally:
        child.kill()
        child.communicate()

    run = SyncRun.objects.latest("pk")
    assert (run.trigger, run.status) == (SyncRun.Trigger.CRON, SyncRun.Status.STOPPED)
    assert Client.objects.count() == 0
    assert not any(path.exists() for path in staged)
