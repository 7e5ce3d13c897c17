"""FAC models are read from `facturation`; everything else lives in `default` (OPS)."""

from syncapp.common.aliases import FAC_ALIAS, OPS_ALIAS
from syncapp.models.readonly import FacturationModel, ReadOnlySourceError


def is_facturation_model(model) -> bool:
    return issubclass(model, FacturationModel)


class FacturationRouter:
    def db_for_read(self, model, **hints):
        return FAC_ALIAS if is_facturation_model(model) else OPS_ALIAS

    def db_for_write(self, model, **hints):
        if is_facturation_model(model):
            raise ReadOnlySourceError("write", model)
        return OPS_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return is_facturation_model(type(obj1)) == is_facturation_model(type(obj2))

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Nothing is ever created, altered or flushed on FAC; nor on OPS a table opsync adopted,
        # which belongs to the operations application (SYNC_MAPPING_FILE).
        if db == FAC_ALIAS:
            return False
        return not (app_label == "syncapp" and model_name in adopted_mirror_models())


def adopted_mirror_models() -> set[str | None]:
    """The built-in mirror models whose FAC table feeds an adopted OPS table instead (their
    _meta.model_name, which the stubs allow to be None)."""
    from syncapp.config.mapping import BUILT_IN, mappings  # the router is loaded with the settings, before the models

    return {BUILT_IN[m.name][0]._meta.model_name for m in mappings() if m.adopted}
