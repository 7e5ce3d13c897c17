"""The declared models match the contract's FAC schema and OPS mirror, column for column."""

import pytest
from django.db import connections

from syncapp.config.mapping import BUILT_IN, mappings

TIMESTAMPS = ["created_at", "updated_at", "deleted_at"]
# The columns OPS gets of each table, as agreed with the operations application (docs/architecture.md, "The mirror").
CONTRACT_MIRROR = {
    "clients": "nom email telephone adresse ville pays type rccm nif contact_principal notes",
    "transitaires": "nom email telephone adresse contact_principal nif rccm actif",
    "armateurs": "nom code email telephone adresse actif",
    "representants": "nom prenom email telephone adresse zone taux_commission actif",
    "services": "code nom description prix_unitaire unite categorie statut",
}
FAC_ONLY = {"clients": {"solde", "limite_credit"}}


def test_mirror_columns_are_the_contracts():
    """The five's shipped declarations (syncapp/config/built_in.toml), from which migrate makes their
    mirrors, and the mirror models Django knows them by name the same columns in the same order."""
    for mapping in mappings():
        ops_columns = [f.column for f in mapping.mirror._meta.concrete_fields]
        assert set(ops_columns) == {"id", "synced_at", *TIMESTAMPS, *CONTRACT_MIRROR[mapping.name].split()}
        assert mapping.pairs == tuple((column, column) for column in ops_columns if column != "synced_at")
        assert mapping.columns[0] == "id"


def test_fac_models_hold_every_mirrored_column_and_only_fac_columns():
    for mapping in mappings():
        fac_columns = {f.column for f in BUILT_IN[mapping.name][1]._meta.concrete_fields}
        assert fac_columns == set(mapping.columns) | FAC_ONLY.get(mapping.name, set())


@pytest.mark.mariadb
@pytest.mark.django_db(databases=["default", "facturation"])
def test_the_ddl_file_matches_the_fac_models():
    with connections["facturation"].cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, is_nullable, column_type FROM information_schema.columns "
            "WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position"
        )
        live = cursor.fetchall()
    for mapping in mappings():
        columns = [(name, nullable, kind) for table, name, nullable, kind in live if table == mapping.fac_table]
        assert {name for name, _, _ in columns} == {f.column for f in BUILT_IN[mapping.name][1]._meta.concrete_fields}
        for field in BUILT_IN[mapping.name][1]._meta.concrete_fields:
            _, nullable, kind = next(c for c in columns if c[0] == field.column)
            assert (nullable == "YES") == field.null, (mapping.name, field.column)
            if field.column in TIMESTAMPS:
                assert kind == "timestamp"
        assert ("id", "NO", "bigint(20) unsigned") in columns
