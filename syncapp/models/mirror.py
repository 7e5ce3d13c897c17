"""opsync's own mirror of FAC's five tables (FAC's columns plus synced_at, FAC's id as the key), and the
record of the declared tables' mirrors it created."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------
# The mirror. Each table holds exactly the mirrored FAC columns plus synced_at.
# The primary key is FAC's id (no auto-increment) so OPS foreign keys keep FAC ids.
# ---------------------------------------------------------------------------


def nullable_char(max_length=255, **kwargs):
    return models.CharField(max_length=max_length, null=True, blank=True, **kwargs)


class MirrorModel(models.Model):
    id = models.PositiveBigIntegerField(primary_key=True, verbose_name="id FAC")
    created_at = models.DateTimeField(_("created at"), null=True)
    updated_at = models.DateTimeField(_("updated at"), null=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, db_index=True)
    synced_at = models.DateTimeField(_("synced at"), null=True)
    nom: str  # every FAC table mirrored here names its rows (each model declares the field)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self):
        return self.nom


class Client(MirrorModel):
    nom = models.CharField(_("name"), max_length=255)
    email = nullable_char()
    telephone = nullable_char(verbose_name=_("phone"))
    adresse = nullable_char(verbose_name=_("address"))
    ville = nullable_char(verbose_name=_("city"))
    pays = models.CharField(_("country"), max_length=255)
    type = models.CharField(_("type"), max_length=20)
    rccm = nullable_char(verbose_name="RCCM")
    nif = nullable_char(verbose_name="NIF")
    contact_principal = nullable_char(verbose_name=_("main contact"))
    notes = models.TextField(_("notes"), null=True, blank=True)

    class Meta(MirrorModel.Meta):
        db_table = "clients"
        verbose_name = _("client")
        verbose_name_plural = _("clients")


class Transitaire(MirrorModel):
    nom = models.CharField(_("name"), max_length=255)
    email = nullable_char()
    telephone = nullable_char(verbose_name=_("phone"))
    adresse = nullable_char(verbose_name=_("address"))
    contact_principal = nullable_char(verbose_name=_("main contact"))
    nif = nullable_char(verbose_name="NIF")
    rccm = nullable_char(verbose_name="RCCM")
    actif = models.BooleanField(_("active"))

    class Meta(MirrorModel.Meta):
        db_table = "transitaires"
        verbose_name = _("freight forwarder")
        verbose_name_plural = _("freight forwarders")


class Armateur(MirrorModel):
    nom = models.CharField(_("name"), max_length=255)
    # Indexed but not unique, unlike FAC: a code freed by a hard delete in FAC
    # stays on the OPS row that is kept as deleted, and FAC may give it to a new
    # row; and two rows that swap codes would collide halfway through an update.
    code = nullable_char(db_index=True)
    email = nullable_char()
    telephone = nullable_char(verbose_name=_("phone"))
    adresse = nullable_char(verbose_name=_("address"))
    actif = models.BooleanField(_("active"))

    class Meta(MirrorModel.Meta):
        db_table = "armateurs"
        verbose_name = _("shipping line")
        verbose_name_plural = _("shipping lines")


class Representant(MirrorModel):
    nom = models.CharField(_("name"), max_length=255)
    prenom = nullable_char(verbose_name=_("first name"))
    email = nullable_char()
    telephone = nullable_char(verbose_name=_("phone"))
    adresse = nullable_char(verbose_name=_("address"))
    zone = nullable_char(verbose_name=_("zone"))
    taux_commission = models.DecimalField(_("commission rate"), max_digits=5, decimal_places=2, null=True, blank=True)
    actif = models.BooleanField(_("active"))

    class Meta(MirrorModel.Meta):
        db_table = "representants"
        verbose_name = _("sales representative")
        verbose_name_plural = _("sales representatives")


class Service(MirrorModel):
    code = models.CharField(max_length=50, db_index=True)  # not unique: see Armateur.code
    nom = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), null=True, blank=True)
    prix_unitaire = models.DecimalField(_("unit price"), max_digits=15, decimal_places=2)
    unite = models.CharField(_("unit"), max_length=50, null=True, blank=True)
    categorie = models.CharField(_("category"), max_length=100, null=True, blank=True)
    statut = models.CharField(_("status"), max_length=20)

    class Meta(MirrorModel.Meta):
        db_table = "services"
        verbose_name = _("service")
        verbose_name_plural = _("services")


class OwnedTable(models.Model):
    """An OPS table that opsync created itself: the mirror of a declared FAC table (migrate made it).

    Without `adopt`, opsync creates, alters and feeds only the five mirrors its migrations make
    and the tables recorded here; any other OPS table is the operations application's (OPS and
    FAC are both Laravel applications: both have `users`), and is refused in one line that says
    to adopt it.
    """

    ops_table = models.CharField(_("OPS table"), max_length=64, unique=True)
    # The FAC table it mirrors; NULL: made before opsync kept this record (migration 0009 found it).
    fac_table = models.CharField(_("FAC table"), max_length=64, null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("table created by opsync")
        verbose_name_plural = _("tables created by opsync")

    def __str__(self):
        return self.ops_table
