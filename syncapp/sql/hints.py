"""The watcher's cheap hints: what a SELECT-only user can read about a table in well under a
millisecond, and that moves when the table's rows do. Hints only: never proof that nothing
changed (syncapp/running/watch.py says why, and what catches what they miss).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.sql.execute import execute, fetch_all, marks
from syncapp.sql.names import quoter


@dataclass(frozen=True)
class Hint:
    """Two hints are the same when both values are: nothing moved that they can show."""

    changed: datetime | int | None  # MySQL: UPDATE_TIME (to the second); SQLite: the file's data_version
    highest_id: int | None  # MAX(id): a primary-key lookup, so new rows show at once
    # False while `changed` is the server's current second: another commit may still come in that
    # same second and leave it as it is, unseen. Not compared.
    settled: bool = field(default=True, compare=False)


def table_hints(connection: BaseDatabaseWrapper, tables: list[str]) -> dict[str, Hint]:
    """Per table, in two queries whatever their number."""
    quote = quoter(connection)
    highest = ", ".join(f"(SELECT MAX(id) FROM {quote(table)})" for table in tables)
    if connection.vendor != "mysql":  # SQLite: one counter for the file, moved by every other connection's commit
        version, *ids = fetch_all(connection, f"SELECT (SELECT data_version FROM pragma_data_version), {highest}")[0]
        return {table: Hint(version, high) for table, high in zip(tables, ids, strict=True)}
    # MySQL 8 caches UPDATE_TIME for a day unless told not to.
    if not connection.mysql_is_mariadb:  # type: ignore[attr-defined]  # vendor "mysql": Django's MySQL wrapper
        execute(connection, "SET SESSION information_schema_stats_expiry = 0")
    now, *ids = fetch_all(connection, f"SELECT NOW(), {highest}")[0]  # NOW(): UPDATE_TIME's clock and zone
    query = (
        "SELECT table_name, update_time FROM information_schema.tables "
        f"WHERE table_schema = DATABASE() AND table_name IN ({marks(len(tables))})"
    )
    changed = dict(fetch_all(connection, query, tables))
    return {
        table: Hint(changed.get(table), high, settled=changed.get(table) is None or changed[table] < now)
        for table, high in zip(tables, ids, strict=True)
    }
