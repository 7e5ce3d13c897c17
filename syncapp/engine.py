"""Copying FAC's tables into the OPS mirror. Free of printing: callers render results."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from syncapp.mapping import TableMapping
from syncapp.readonly import FAC_ALIAS

OPS_ALIAS = "default"


class FacUnreachable(Exception):
    """FAC cannot be reached or refuses the login; the message is safe to show."""


@dataclass
class TableOutcome:
    table: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    error: str = ""
    row_errors: list = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.error)


def fac_check() -> None:
    """Open the FAC connection, or raise FacUnreachable saying what to check."""
    try:
        connections[FAC_ALIAS].ensure_connection()
    except DatabaseError as exc:
        raise FacUnreachable(
            f"FAC unreachable ({database_error_text(exc)}); check FAC_DB_HOST, FAC_DB_PORT, "
            "FAC_DB_DATABASE, FAC_DB_USERNAME and FAC_DB_PASSWORD"
        ) from None


def database_error_text(exc: BaseException) -> str:
    """The server's own words (`(1045, "Access denied…")` → `Access denied…`), never a password."""
    args = getattr(exc, "args", ())
    return str(args[-1]) if args else exc.__class__.__name__


def fac_rows(mapping: TableMapping, *, batch_size: int) -> Iterator[list[tuple]]:
    """Every FAC row of a table, in id order, a batch at a time (keyset on the primary key)."""
    connection = connections[FAC_ALIAS]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in mapping.columns)
    sql = f"SELECT {columns} FROM {quote(mapping.fac_table)} WHERE id > %s ORDER BY id LIMIT %s"
    last_id = -1
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last_id, batch_size])
            batch = cursor.fetchall()
        if not batch:
            return
        yield batch
        last_id = batch[-1][0]


def upsert_sql(mapping: TableMapping) -> str:
    """One INSERT that updates on a primary-key conflict (only the id is a unique key in the mirror)."""
    connection = connections[OPS_ALIAS]
    quote = connection.ops.quote_name
    names = [*mapping.columns, "synced_at"]
    insert = (
        f"INSERT INTO {quote(mapping.ops_table)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    if connection.vendor == "mysql":
        updates = ", ".join(f"{quote(n)} = VALUES({quote(n)})" for n in names[1:])
        return f"{insert} ON DUPLICATE KEY UPDATE {updates}"
    updates = ", ".join(f"{quote(n)} = excluded.{quote(n)}" for n in names[1:])
    return f"{insert} ON CONFLICT (id) DO UPDATE SET {updates}"


def table_copy(*, mapping: TableMapping) -> TableOutcome:
    """Copy every FAC row of one table into the mirror, in one transaction."""
    outcome = TableOutcome(mapping.name)
    sql = upsert_sql(mapping)
    synced_at = timezone.now().replace(tzinfo=None)  # naive UTC, as Django stores it
    with transaction.atomic(using=OPS_ALIAS), connections[OPS_ALIAS].cursor() as cursor:
        for batch in fac_rows(mapping, batch_size=settings.SYNC_BATCH_SIZE):
            cursor.executemany(sql, [(*row, synced_at) for row in batch])
            outcome.inserted += len(batch)
    return outcome
