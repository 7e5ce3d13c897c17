"""OPS rows the sync records one by one: vanished from FAC, the operations application's own, renumbered."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from syncapp.common.formats import numbered


class VanishedRow(models.Model):
    """A mirror row whose id is no longer in FAC (a hard delete), kept as deleted."""

    table = models.CharField(_("table"), max_length=64)
    row_id = models.PositiveBigIntegerField(_("id"))
    noticed_at = models.DateTimeField(_("noticed at"), default=timezone.now)

    class Meta:
        unique_together = [("table", "row_id")]
        verbose_name = _("vanished row")
        verbose_name_plural = _("vanished rows")

    def __str__(self):
        return f"{self.table} {numbered(self.row_id)}"


class OpsOnlyRow(models.Model):
    """A row of an adopted OPS table that is the operations application's own, not FAC's copy.

    The sync leaves it alone for ever. Either FAC had no row of its id when it was noticed,
    or FAC has one that the table's `identity` does not recognise in it (`collides`). A FAC
    row with the id of an own row is not written: it is a row error on every run (a
    collision), until `sync_from_facturation --renumber-ops-only` moves the OPS row.
    """

    table = models.CharField(_("table"), max_length=64)
    row_id = models.PositiveBigIntegerField(_("id"))
    noticed_at = models.DateTimeField(_("noticed at"), default=timezone.now)
    # FAC has a row of this id too, and it is not this one: decided once, when FAC's id first met it.
    collides = models.BooleanField(_("collides with a FAC row"), default=False)

    class Meta:
        ordering = ["table", "row_id"]
        unique_together = [("table", "row_id")]
        verbose_name = _("OPS-only row")
        verbose_name_plural = _("OPS-only rows")

    def __str__(self):
        return f"{self.table} {numbered(self.row_id)}"


class RenumberedRow(models.Model):
    """An OPS-only row that `--renumber-ops-only` moved to a free id, with its references: old → new."""

    table = models.CharField(_("table"), max_length=64)
    ops_table = models.CharField(_("OPS table"), max_length=64)
    old_id = models.PositiveBigIntegerField(_("former id"), db_index=True)
    new_id = models.PositiveBigIntegerField(_("new id"))
    references = models.PositiveIntegerField(_("references moved"), default=0)  # foreign-key values rewritten
    renumbered_at = models.DateTimeField(_("renumbered at"), default=timezone.now)

    class Meta:
        ordering = ["-renumbered_at", "table", "old_id"]
        verbose_name = _("renumbered row")
        verbose_name_plural = _("renumbered rows")

    def __str__(self):
        return f"{self.ops_table} {numbered(self.old_id)} → {numbered(self.new_id)}"
