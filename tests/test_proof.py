"""The proof has no blind spot: values that shift a separator, and FAC's zero-date deletions.

Through each path that writes or compares: the first copy (LOAD DATA, and upserts where OPS
refuses it), an incremental run, `--force` on a silent change, and `--verify` after each.
"""

from datetime import datetime

import pytest

from syncapp.models import Client, SyncRun
from tests.fac import server_local_infile
from tests.factories import ClientFactory, fac_now
from tests.mirror import sync

pytestmark = [pytest.mark.django_db(databases=["default", "facturation"], transaction=True)]
ZERO = "0000-00-00 00:00:00"
# Where a zero date in FAC's deleted_at lands in OPS: deleted, at a stable instant (docs/architecture.md, "The mirror").
DELETED_UNKNOWN = datetime(1970, 1, 1, 0, 0, 1)


def deleted_at(row_id: int) -> datetime | None:
    value = Client.objects.get(pk=row_id).deleted_at
    return None if value is None else value.replace(tzinfo=None)


def mirrored(row_id: int) -> tuple:
    return tuple(Client.objects.filter(pk=row_id).values_list("nom", "email").get())


def verified() -> bool:
    return sync("--verify")[0] == 0


def test_a_separator_shifted_between_two_columns_is_copied_found_and_repaired(fac):
    first = ClientFactory(nom="AB\x1fCD", email="x", updated_at=fac_now())
    assert sync()[0] == 0  # the first copy
    assert mirrored(first["id"]) == ("AB\x1fCD", "x") and verified()

    fac.update("clients", first["id"], nom="AB", email="CD\x1fx", updated_at=fac_now())
    assert sync()[0] == 0  # incremental
    assert mirrored(first["id"]) == ("AB", "CD\x1fx") and verified()

    # Behind the sync's back, OPS gets the other reading of the same joined text.
    Client.objects.filter(pk=first["id"]).update(nom="AB\x1fCD", email="x")
    status, output = sync("--verify", "-v", "2")
    assert status == 1 and f"clients #{first['id']}: differs in columns nom, email" in output
    assert sync("--force")[0] == 0
    assert mirrored(first["id"]) == ("AB", "CD\x1fx") and verified()


@pytest.mark.mariadb
@pytest.mark.parametrize("local_infile", [True, False], ids=["load-data", "upserts"])
def test_a_zero_date_in_facs_deleted_at_is_a_deletion_on_every_path(fac, settings, local_infile):
    live = ClientFactory(updated_at=fac_now())
    zero = ClientFactory(deleted_at=ZERO, updated_at=fac_now())
    with server_local_infile(local_infile):
        assert sync()[0] == 0  # the first copy
    loaded = SyncRun.objects.latest("started_at").results.get(table="clients")
    assert loaded.inserted == 2
    assert deleted_at(zero["id"]) == DELETED_UNKNOWN and deleted_at(live["id"]) is None
    assert verified()

    fac.update("clients", live["id"], deleted_at=ZERO, updated_at=fac_now())
    assert sync()[0] == 0  # incremental
    assert deleted_at(live["id"]) == DELETED_UNKNOWN and verified()

    # OPS made live by hand, FAC unchanged: --verify finds it, --force marks it again.
    Client.objects.filter(pk=live["id"]).update(deleted_at=None)
    status, output = sync("--verify", "-v", "2")
    assert status == 1 and f"clients #{live['id']}: differs in column deleted_at" in output
    assert sync("--force")[0] == 0
    assert deleted_at(live["id"]) == DELETED_UNKNOWN and verified()
    assert sync()[0] == 0 and deleted_at(zero["id"]) == DELETED_UNKNOWN  # stable: the next run leaves it
