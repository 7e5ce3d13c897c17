"""factory-boy factories for FAC rows, written through the test suite's FAC writer.

Each factory builds a dict of FAC columns and inserts it as the billing application
would; the created row comes back as a dict with its new `id`.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import factory

from tests.fac import FacWriter


def fac_now() -> datetime:
    """Now, as FAC stores it: naive UTC, whole seconds (TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def fac_table(name: str) -> type:
    """The factory's "model": a dict that knows its FAC table."""
    return type(f"FacRow[{name}]", (dict,), {"table": name})


# Calling a factory gives the row it inserted, a dict: factory-boy's metaclass makes the call do so,
# which mypy does not follow (it takes the call for the factory's constructor). To mypy, factories are dicts.
if TYPE_CHECKING:
    CalledGivesRow = dict[str, Any]
else:
    CalledGivesRow = object


class FacRowFactory(factory.DictFactory, CalledGivesRow):
    created_at = factory.LazyFunction(fac_now)
    updated_at = factory.LazyAttribute(lambda row: row.created_at)
    deleted_at = None

    _writer: FacWriter | None = None  # set by the `fac` fixture

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = model_class(**kwargs)
        row["id"] = cls._writer.insert(model_class.table, dict(kwargs))
        return row


class ClientFactory(FacRowFactory):
    class Meta:
        model = fac_table("clients")

    nom = factory.Sequence(lambda n: f"Société Gabonaise n°{n}")
    email = factory.Sequence(lambda n: f"contact{n}@exemple.ga")
    telephone = "+241 01 76 12 34"
    adresse = "Boulevard Triomphal"
    ville = factory.Iterator(["Libreville", "Port-Gentil", "Owendo"])
    pays = "Gabon"
    type = factory.Iterator(["Entreprise", "Particulier"])
    rccm = factory.Sequence(lambda n: f"GA-LBV-2024-B-{n:05d}")
    nif = factory.Sequence(lambda n: f"{n:09d}A")
    contact_principal = "Aurélie Nzé"
    solde = Decimal("0.00")
    limite_credit = Decimal("1500000.00")
    notes = None


class TransitaireFactory(FacRowFactory):
    class Meta:
        model = fac_table("transitaires")

    nom = factory.Sequence(lambda n: f"Transit Owendo {n}")
    email = None
    telephone = "+241 11 70 00 00"
    adresse = "Port d'Owendo"
    contact_principal = None
    nif = None
    rccm = None
    actif = True


class ArmateurFactory(FacRowFactory):
    class Meta:
        model = fac_table("armateurs")

    nom = factory.Sequence(lambda n: f"Armateur {n}")
    code = factory.Sequence(lambda n: f"ARM{n}")
    email = None
    telephone = None
    adresse = None
    actif = True


class RepresentantFactory(FacRowFactory):
    class Meta:
        model = fac_table("representants")

    nom = factory.Sequence(lambda n: f"Moussavou {n}")
    prenom = "Ghislain"
    email = None
    telephone = None
    adresse = None
    zone = "Estuaire"
    taux_commission = Decimal("2.50")
    actif = True


class ServiceFactory(FacRowFactory):
    class Meta:
        model = fac_table("services")

    code = factory.Sequence(lambda n: f"SRV-{n}")
    nom = factory.Sequence(lambda n: f"Manutention {n}")
    description = None
    prix_unitaire = Decimal("85000.00")
    unite = "conteneur"
    categorie = "Manutention"
    statut = "actif"


FACTORIES = {
    "clients": ClientFactory,
    "transitaires": TransitaireFactory,
    "armateurs": ArmateurFactory,
    "representants": RepresentantFactory,
    "services": ServiceFactory,
}
