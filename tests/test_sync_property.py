"""Property: after any sequence of FAC changes interleaved with runs, one more run makes OPS equal FAC."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncapp.config.mapping import mappings
from syncapp.models import SyncRun, SyncState, VanishedRow
from tests.factories import ArmateurFactory, ClientFactory, ServiceFactory, fac_now
from tests.mirror import differences

TABLES = {"clients": ClientFactory, "armateurs": ArmateurFactory, "services": ServiceFactory}
table_names = st.sampled_from(sorted(TABLES))
pick = st.integers(min_value=0, max_value=10_000)  # which existing row, modulo their number
changes = [
    st.tuples(st.just("insert"), table_names, st.sampled_from(["now", "null", "zero"])),
    st.tuples(st.just("update"), table_names, pick),
    st.tuples(st.just("soft_delete"), table_names, pick),
    st.tuples(st.just("restore"), table_names, pick),
    st.tuples(st.just("hard_delete"), table_names, pick),
    st.tuples(st.just("swap_codes"), st.sampled_from(["armateurs", "services"]), pick),
    st.tuples(st.just("tick"), st.integers(min_value=0, max_value=3)),  # 0: same-second burst
    st.tuples(st.just("sync")),
]
# An edit made by hand without touching updated_at: by design only --force sees it.
undated_edit = st.tuples(st.just("update_undated"), table_names, pick)
HISTORIES = {
    "incremental": st.lists(st.one_of(changes), min_size=5, max_size=40),
    "force": st.lists(st.one_of([*changes, undated_edit]), min_size=5, max_size=40),
}


class FacSimulation:
    """Plays the billing application on FAC, with a clock of its own that may stand still."""

    def __init__(self, fac, zero_dates: bool):
        self.fac = fac
        self.zero_dates = zero_dates
        self.clock = fac_now() - timedelta(hours=1)
        self.serial = 0

    def ids(self, table, where="1 = 1"):
        return [row[0] for row in self.fac.select(table, ["id"], f"{where} ORDER BY id")]

    def choose(self, table, index, where="1 = 1"):
        ids = self.ids(table, where)
        return ids[index % len(ids)] if ids else None

    def apply(self, step):
        getattr(self, step[0])(*step[1:])

    def insert(self, table, stamp):
        if stamp == "zero" and not self.zero_dates:
            stamp = "null"
        updated_at = {"now": self.clock, "null": None, "zero": "0000-00-00 00:00:00"}[stamp]
        self.serial += 1
        extra = {"code": f"P{self.serial}"} if table != "clients" else {}
        TABLES[table](updated_at=updated_at, **extra)

    def update(self, table, index, stamped=True):
        row_id = self.choose(table, index)
        if row_id is not None:
            self.serial += 1
            values = {"nom": f"nom {self.serial} é🚢"} | ({"updated_at": self.clock} if stamped else {})
            self.fac.update(table, row_id, **values)

    def update_undated(self, table, index):
        self.update(table, index, stamped=False)

    def soft_delete(self, table, index):
        row_id = self.choose(table, index, "deleted_at IS NULL")
        if row_id is not None:
            self.fac.update(table, row_id, deleted_at=self.clock, updated_at=self.clock)

    def restore(self, table, index):
        row_id = self.choose(table, index, "deleted_at IS NOT NULL")
        if row_id is not None:
            self.fac.update(table, row_id, deleted_at=None, updated_at=self.clock)

    def hard_delete(self, table, index):
        row_id = self.choose(table, index)
        if row_id is not None:
            self.fac.hard_delete(table, row_id)

    def swap_codes(self, table, index):
        ids = self.ids(table)
        if len(ids) < 2:
            return
        a, b = ids[index % len(ids)], ids[(index + 1) % len(ids)]
        (code_a,), (code_b,) = (self.fac.select(table, ["code"], "id = %s", [i])[0] for i in (a, b))
        self.fac.execute("START TRANSACTION" if self.fac.connection.vendor == "mysql" else "BEGIN")
        self.fac.update(table, a, code="swap-tmp")
        self.fac.update(table, b, code=code_a, updated_at=self.clock)
        self.fac.update(table, a, code=code_b, updated_at=self.clock)
        self.fac.execute("COMMIT")

    def tick(self, seconds):
        self.clock += timedelta(seconds=seconds)

    def sync(self):
        call_command("sync_from_facturation", "--allow-mass-delete", verbosity=0)


def reset(fac):
    fac.truncate_all()
    for mapping in mappings():
        mapping.mirror._default_manager.all().delete()
    SyncState.objects.all().delete()
    VanishedRow.objects.all().delete()
    SyncRun.objects.all().delete()


def check_property(fac, initial: int, history: list, final: list[str]) -> None:
    reset(fac)
    simulation = FacSimulation(fac, zero_dates=fac.connection.vendor == "mysql")
    for table in TABLES:
        for _ in range(initial):
            simulation.insert(table, "now")
    simulation.sync()
    for step in history:
        simulation.apply(step)

    call_command("sync_from_facturation", "--allow-mass-delete", *final, verbosity=0)

    assert differences(fac) == []


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
@PROPERTY
@given(initial=st.integers(min_value=1, max_value=8), history=HISTORIES["incremental"])
def test_one_incremental_run_after_fac_stops_changing_makes_ops_equal_fac(fac, initial, history):
    check_property(fac, initial, history, final=[])


@pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
@PROPERTY
@given(initial=st.integers(min_value=1, max_value=8), history=HISTORIES["force"])
def test_one_forced_run_repairs_even_edits_that_kept_their_updated_at(fac, initial, history):
    check_property(fac, initial, history, final=["--force"])
