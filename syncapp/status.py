"""Where the sync stands, per table: read-only, for --status, the dashboard and /healthz."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Count, Q
from django.utils import timezone

from syncapp.engine import FacUnreachable, aware, fac_check
from syncapp.lock import SyncLock
from syncapp.mapping import MAPPINGS, TableMapping
from syncapp.models import SyncState, SyncTableResult
from syncapp.readonly import FAC_ALIAS
from syncapp.runs import describe_run, running_run


@dataclass
class TableStatus:
    table: str
    last_success_at: datetime | None
    cursor: datetime | None
    ops_live: int
    ops_deleted: int
    fac_rows: int | None  # None: FAC not asked, or unreachable
    lag: timedelta | None  # FAC's newest updated_at minus the cursor
    last_result: SyncTableResult | None
    stale: bool

    @property
    def age(self) -> timedelta | None:
        return None if self.last_success_at is None else timezone.now() - self.last_success_at


@dataclass
class SyncStatus:
    tables: list[TableStatus]
    fac_error: str | None
    fac_checked: bool
    lock_holder: str | None

    @property
    def healthy(self) -> bool:
        return self.fac_error is None and not any(t.stale for t in self.tables)


def stale_after() -> timedelta:
    return timedelta(minutes=settings.SYNC_STALE_AFTER)


def table_status(mapping: TableMapping, *, fac_ok: bool) -> TableStatus:
    state = SyncState.objects.filter(table=mapping.name).first()
    counts = mapping.mirror.objects.aggregate(
        live=Count("pk", filter=Q(deleted_at__isnull=True)), deleted=Count("pk", filter=Q(deleted_at__isnull=False))
    )
    fac_rows = newest = None
    if fac_ok:
        table = connections[FAC_ALIAS].ops.quote_name(mapping.fac_table)
        with connections[FAC_ALIAS].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*), MAX(updated_at) FROM {table}")
            fac_rows, newest = cursor.fetchone()
    cursor_at = state.cursor if state else None
    lag = None
    if newest is not None and cursor_at is not None:
        newest = aware(newest) if isinstance(newest, datetime) else aware(datetime.fromisoformat(newest))
        lag = max(newest - cursor_at, timedelta(0))
    last_success = state.last_success_at if state else None
    return TableStatus(
        table=mapping.name,
        last_success_at=last_success,
        cursor=cursor_at,
        ops_live=counts["live"],
        ops_deleted=counts["deleted"],
        fac_rows=fac_rows,
        lag=lag,
        last_result=SyncTableResult.objects.filter(table=mapping.name, run__dry_run=False)
        .order_by("-run__started_at")
        .first(),
        stale=last_success is None or timezone.now() - last_success > stale_after(),
    )


def last_result(table: str) -> SyncTableResult | None:
    results = SyncTableResult.objects.filter(table=table, run__dry_run=False)
    return results.order_by("-run__started_at", "-id").first()


def sync_status(*, check_fac: bool = True) -> SyncStatus:
    """The state of every table; FAC is queried only when check_fac (the health check skips it)."""
    fac_error = None
    if check_fac:
        try:
            fac_check()
        except FacUnreachable as exc:
            fac_error = str(exc)
    try:
        tables = [table_status(m, fac_ok=check_fac and fac_error is None) for m in MAPPINGS]
    except DatabaseError as exc:  # FAC dropped between the check and the counts
        fac_error = f"FAC query failed: {exc.args[-1] if exc.args else exc}"
        tables = [table_status(m, fac_ok=False) for m in MAPPINGS]
    holder = describe_run(running_run()) if SyncLock().is_held() else None
    return SyncStatus(tables=tables, fac_error=fac_error, fac_checked=check_fac, lock_holder=holder)
