"""syncapp/engine/mirror.py: compare(), what writing a FAC row into the mirror would do."""

from datetime import datetime

from syncapp.engine.mirror import compare

COLUMNS = ("id", "nom", "deleted_at")
WHEN = datetime(2026, 11, 30, 8, 0, 0)


def change(row, mirror_row, vanished=False):
    return compare(row, mirror_row, names=COLUMNS, deleted_at=2, vanished=vanished)


def test_a_row_the_mirror_lacks_is_an_insert_of_every_column():
    assert change((1, "a", None), None) == {"id": 1, "action": "insert", "columns": ["nom", "deleted_at"]}


def test_an_identical_row_needs_nothing():
    assert change((1, "a", WHEN), (1, "a", WHEN)) is None


def test_a_changed_value_is_an_update_naming_its_columns():
    assert change((1, "b", None), (1, "a", None)) == {"id": 1, "action": "update", "columns": ["nom"]}


def test_soft_delete_and_restore():
    assert change((1, "a", WHEN), (1, "a", None))["action"] == "delete"
    assert change((1, "a", None), (1, "a", WHEN))["action"] == "restore"


def test_a_row_back_in_fac_after_vanishing_is_a_restore():
    assert change((1, "a", None), (1, "a", WHEN), vanished=True) == {
        "id": 1,
        "action": "restore",
        "columns": ["deleted_at"],
    }


def test_without_a_deleted_at_in_ops_there_is_no_delete_nor_restore_but_of_a_vanished_row():
    def bare(row, mirror_row, vanished=False):
        return compare(row, mirror_row, names=("id", "nom"), deleted_at=None, vanished=vanished)

    assert bare((1, "b"), (1, "a"))["action"] == "update"
    assert bare((1, "a"), (1, "a")) is None
    # Back in FAC after vanishing: the record must go even though no column differs.
    assert bare((1, "a"), (1, "a"), vanished=True) == {"id": 1, "action": "restore", "columns": []}
