"""syncapp.config.databases.row_reason: why OPS refused a row, in words, from the server's own."""

import pytest
from django.db import DataError, IntegrityError, OperationalError

from syncapp.common.messages import in_english
from syncapp.config.databases import row_reason


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (DataError(1406, "Data too long for column 'nom' at row 1"), "value too long for column nom"),
        (
            OperationalError(
                1366, "Incorrect string value: '\\xF0\\x9F\\x9A\\xA2' for column ``.`(temporary)`.`nom` at row 1"
            ),
            "characters that column nom cannot store (check its character set)",
        ),
        (IntegrityError(1048, "Column 'pays' cannot be null"), "column pays cannot be empty"),
        (
            IntegrityError(1062, "Duplicate entry 'ARM-01' for key 'armateurs.code'"),
            "another row already has this value of the unique key code",
        ),
        (DataError(1264, "Out of range value for column 'solde' at row 1"), "value out of range for column solde"),
        (OperationalError(1265, "Data truncated for column 'type' at row 1"), "value not allowed in column type"),
        (
            OperationalError(
                1292, "Incorrect datetime value: '0000-00-00' for column `ops`.`clients`.`created_at` at row 1"
            ),
            "invalid date in column created_at",
        ),
    ],
)
def test_mysql_row_errors_are_said_in_words_with_their_column(error, said):
    reason = row_reason(error)
    assert in_english(reason) == said
    assert reason["params"]["server"] == error.args[1]  # kept for the log


def test_an_error_it_does_not_know_is_kept_in_the_servers_words():
    assert in_english(row_reason(IntegrityError("NOT NULL constraint failed: clients.pays"))) == (
        "NOT NULL constraint failed: clients.pays"
    )
    assert in_english(row_reason(DataError(1406, "Data too long"))) == "Data too long"  # no column named
