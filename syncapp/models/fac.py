"""FAC's tables as the billing application created them (Laravel conventions).

Unmanaged and read-only: opsync never creates, alters or writes these tables.
`sql/facturation_schema.sql` is the same schema as MySQL DDL.
"""

from django.db import models

from syncapp.models.readonly import FacturationModel


def nullable_char(max_length=255):
    return models.CharField(max_length=max_length, null=True, blank=True)


class FacTimestamps(FacturationModel):
    id = models.BigAutoField(primary_key=True)  # BIGINT UNSIGNED AUTO_INCREMENT in FAC
    created_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(null=True)
    deleted_at = models.DateTimeField(null=True)

    class Meta(FacturationModel.Meta):
        abstract = True


class FacClient(FacTimestamps):
    nom = models.CharField(max_length=255)
    email = nullable_char()
    telephone = nullable_char()
    adresse = nullable_char()
    ville = nullable_char()
    pays = models.CharField(max_length=255, db_default="Gabon")
    type = models.CharField(max_length=20, db_default="Entreprise")
    rccm = nullable_char()
    nif = nullable_char()
    contact_principal = nullable_char()
    solde = models.DecimalField(max_digits=15, decimal_places=2, db_default=0)
    limite_credit = models.DecimalField(max_digits=15, decimal_places=2, db_default=0)
    notes = models.TextField(null=True, blank=True)

    class Meta(FacTimestamps.Meta):
        db_table = "clients"


class FacTransitaire(FacTimestamps):
    nom = models.CharField(max_length=255)
    email = nullable_char()
    telephone = nullable_char()
    adresse = nullable_char()
    contact_principal = nullable_char()
    nif = nullable_char()
    rccm = nullable_char()
    actif = models.BooleanField(db_default=True)

    class Meta(FacTimestamps.Meta):
        db_table = "transitaires"


class FacArmateur(FacTimestamps):
    nom = models.CharField(max_length=255)
    code = models.CharField(max_length=255, null=True, blank=True, unique=True)
    email = nullable_char()
    telephone = nullable_char()
    adresse = nullable_char()
    actif = models.BooleanField(db_default=True)

    class Meta(FacTimestamps.Meta):
        db_table = "armateurs"


class FacRepresentant(FacTimestamps):
    nom = models.CharField(max_length=255)
    prenom = nullable_char()
    email = nullable_char()
    telephone = nullable_char()
    adresse = nullable_char()
    zone = nullable_char()
    taux_commission = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    actif = models.BooleanField(db_default=True)

    class Meta(FacTimestamps.Meta):
        db_table = "representants"


class FacService(FacTimestamps):
    code = models.CharField(max_length=50, unique=True)
    nom = models.CharField(max_length=255)
    description = models.TextField(null=True, blank=True)
    prix_unitaire = models.DecimalField(max_digits=15, decimal_places=2, db_default=0)
    unite = models.CharField(max_length=50, null=True, blank=True)
    categorie = models.CharField(max_length=100, null=True, blank=True)
    statut = models.CharField(max_length=20, db_default="actif")

    class Meta(FacTimestamps.Meta):
        db_table = "services"
