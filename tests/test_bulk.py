"""The first copy by LOAD DATA LOCAL INFILE, and its fallbacks (MariaDB only)."""

import pytest

from syncapp.config.mapping import built_in
from syncapp.engine.outcome import RunContext, SyncOptions
from syncapp.engine.table import table_sync
from syncapp.models import Client, SyncTableResult
from tests.fac import server_local_infile
from tests.factories import ClientFactory, fac_now
from tests.mirror import differences, sync

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(databases=["default", "facturation"], transaction=True)]


def test_values_survive_the_tab_separated_file(fac):
    ClientFactory(nom="tab\there", notes="line\nbreak\r\n and \\N and \\ and \0 nul 🚢", email="\\N")
    ClientFactory(created_at="0000-00-00 00:00:00", updated_at="0000-00-00 00:00:00", notes="")
    ClientFactory(nom="x", notes="y" * 5000, deleted_at=fac_now(), solde="-12.50")

    with server_local_infile(True):  # as the server has it: another suite may not switch it off meanwhile
        outcome = table_sync(mapping=built_in("clients"), context=RunContext(SyncOptions()))

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
        outcome = table_sync(mapping=built_in("clients"), context=context)

    assert (outcome.error, outcome.inserted, outcome.loaded) == ("", 5, 0)
    assert context.load_data_refused is True
    assert differences(fac) == []
