"""The third read-only layer: FAC models refuse every write in Python.

The first two layers are in the database (the reader user has SELECT only) and in
the connection (every `facturation` session is opened read-only). This one names
the rule before a query is even built, whatever alias is asked for.
"""

from django.db import models

from syncapp.common.aliases import FAC_ALIAS


class ReadOnlySourceError(RuntimeError):
    """A write was attempted through a FAC model."""

    def __init__(self, operation: str, model: type):
        super().__init__(
            f"FAC is a read-only source: opsync never writes to '{FAC_ALIAS}' "
            f"(refused: {operation} on {model.__name__})"
        )


class ReadOnlyQuerySet(models.QuerySet):
    def _refuse(self, operation):
        raise ReadOnlySourceError(operation, self.model)

    def create(self, **kwargs):
        self._refuse("create()")

    def get_or_create(self, defaults=None, **kwargs):
        self._refuse("get_or_create()")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        self._refuse("update_or_create()")

    def bulk_create(self, objs, *args, **kwargs):
        self._refuse("bulk_create()")

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse("bulk_update()")

    def update(self, **kwargs):
        self._refuse("update()")

    def delete(self):
        self._refuse("delete()")

    # The lower-level entry points the public ones end in, so that no path is left.
    def _update(self, values):
        self._refuse("update()")

    def _insert(self, *args, **kwargs):
        self._refuse("insert")

    def _raw_delete(self, using):
        self._refuse("delete()")


class FacturationModel(models.Model):
    """Base of the unmanaged models that read FAC's tables."""

    objects = ReadOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        managed = False

    def save(self, *args, **kwargs):
        raise ReadOnlySourceError("save()", type(self))

    def delete(self, *args, **kwargs):
        raise ReadOnlySourceError("delete()", type(self))
