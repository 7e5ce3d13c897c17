"""syncapp/sql/canonical.py: a row's canonical text and its hash, the definition both servers match."""

import hashlib
from datetime import datetime
from decimal import Decimal

from syncapp.config.mapping import built_in
from syncapp.sql.canonical import canonical_text, hash64, row_hash
from tests.kinds import model_kinds

SERVICES = built_in("services")
# id, created_at, updated_at, deleted_at, code, nom, description, prix_unitaire, …
SERVICE_KINDS = model_kinds(SERVICES)


def service(**values) -> tuple:
    row = {"id": 7, "created_at": None, "updated_at": datetime(2026, 1, 2, 3, 4, 5), "deleted_at": None}
    row |= {"code": "MAN-20", "nom": "Manutention", "description": "", "prix_unitaire": Decimal("85000")}
    row |= {"unite": None, "categorie": "Port", "statut": "actif"} | values
    return tuple(row[column] for column in SERVICES.columns)


def test_values_are_written_as_mysql_writes_them_each_after_its_length():
    text = canonical_text(SERVICE_KINDS, service())
    assert text == "1:7-19:2026-01-02 03:04:05-6:MAN-2011:Manutention0:8:85000.00-4:Port5:actif"


def test_null_and_empty_string_differ():
    assert canonical_text(SERVICE_KINDS, service(unite=None)) != canonical_text(SERVICE_KINDS, service(unite=""))


def test_a_value_moving_to_the_next_column_changes_the_text():
    moved = service(categorie=None, statut="Port actif")
    assert canonical_text(SERVICE_KINDS, moved) != canonical_text(
        SERVICE_KINDS, service(categorie="Port", statut="actif")
    )


def test_booleans_are_digits():
    armateurs = built_in("armateurs")
    row = tuple({"id": 1, "nom": "MSC", "actif": False}.get(column) for column in armateurs.columns)
    assert "3:MSC" in canonical_text(model_kinds(armateurs), row) and canonical_text(
        model_kinds(armateurs), row
    ).endswith("1:0")


def test_a_separator_inside_a_value_cannot_shift_the_columns():
    """'AB\\x1fCD' + 'x' and 'AB' + 'CD\\x1fx' joined by \\x1f would read the same."""
    clients = built_in("clients")

    def client(**values) -> tuple:
        return tuple({"id": 3, "pays": "Gabon", "type": "Entreprise", **values}.get(c) for c in clients.columns)

    first, second = client(nom="AB\x1fCD", email="x"), client(nom="AB", email="CD\x1fx")
    assert canonical_text(model_kinds(clients), first) != canonical_text(model_kinds(clients), second)
    assert row_hash(model_kinds(clients), first) != row_hash(model_kinds(clients), second)
    # A value that looks like the NULL marker or a length prefix stays itself too.
    assert canonical_text(model_kinds(clients), client(nom="-", email=None)) != canonical_text(
        model_kinds(clients), client(nom=None, email="-")
    )
    assert canonical_text(model_kinds(clients), client(nom="1:a", email="")) != canonical_text(
        model_kinds(clients), client(nom="", email="1:a")
    )


def test_hash64_is_the_first_64_bits_of_md5():
    assert hash64("abc") == int(hashlib.md5(b"abc").hexdigest()[:16], 16)  # noqa: S324
    assert hash64("é🚢") == int(hashlib.md5("é🚢".encode()).hexdigest()[:16], 16)  # noqa: S324


def test_two_rows_swapping_codes_change_the_xor_of_their_hashes():
    """Why MD5 and not CRC32: CRC is linear, so a swap would leave the XOR unchanged."""
    before = row_hash(SERVICE_KINDS, service(id=1, code="A")) ^ row_hash(SERVICE_KINDS, service(id=2, code="B"))
    after = row_hash(SERVICE_KINDS, service(id=1, code="B")) ^ row_hash(SERVICE_KINDS, service(id=2, code="A"))
    assert before != after
