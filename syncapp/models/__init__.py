"""OPS's models: opsync's mirror of FAC's five tables, the record of the sync, and FAC's tables as read.

Django finds an app's models here; each concern has a module of its own, and this one names them
all, so that `from syncapp.models import SyncRun` reads as in any Django project.

- `mirror`: opsync's own mirror of the five tables, and the record of the mirrors it created;
- `fac`: FAC's five tables, read through `readonly`;
- `runs`: runs, their tables, each table's state, the watcher; `row_records`: vanished, OPS-only and
  renumbered rows; `health`: FAC's last check, the last alert.

May import: syncapp.common, syncapp.sql.
Imported by: every folder above it: config, engine, status, running, web, the commands, the demo.
"""

from syncapp.models.fac import FacArmateur, FacClient, FacRepresentant, FacService, FacTransitaire
from syncapp.models.health import AlertState, FacCheck
from syncapp.models.mirror import (
    Armateur,
    Client,
    MirrorModel,
    OwnedTable,
    Representant,
    Service,
    Transitaire,
    nullable_char,
)
from syncapp.models.row_records import OpsOnlyRow, RenumberedRow, VanishedRow
from syncapp.models.runs import (
    CHANGE_LABELS,
    COUNTER,
    COUNTERS,
    SHOWS_COLUMNS,
    TOTALS,
    ChangeAction,
    ChangeCounts,
    Difference,
    SyncRun,
    SyncState,
    SyncTableResult,
    Watcher,
    current_host,
    current_pid,
    rows_changed,
)

__all__ = [
    "CHANGE_LABELS",
    "COUNTER",
    "COUNTERS",
    "SHOWS_COLUMNS",
    "TOTALS",
    "AlertState",
    "Armateur",
    "ChangeAction",
    "ChangeCounts",
    "Client",
    "Difference",
    "FacArmateur",
    "FacCheck",
    "FacClient",
    "FacRepresentant",
    "FacService",
    "FacTransitaire",
    "MirrorModel",
    "OpsOnlyRow",
    "OwnedTable",
    "RenumberedRow",
    "Representant",
    "Service",
    "SyncRun",
    "SyncState",
    "SyncTableResult",
    "Transitaire",
    "VanishedRow",
    "Watcher",
    "current_host",
    "current_pid",
    "nullable_char",
    "rows_changed",
]
