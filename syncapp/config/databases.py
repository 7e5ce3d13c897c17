"""What the two databases' errors mean to the sync, and the checks that they answer and are ready."""

import pkgutil
import re
import time

from django.db import DatabaseError, DataError, IntegrityError, OperationalError, connections

from syncapp.common.aliases import FAC_ALIAS, OPS_ALIAS
from syncapp.common.messages import Message, MessageError, message

# MySQL errors about one row's value, which it reports as OperationalError rather than
# DataError: 1292 incorrect date, 1366 incorrect string value (4-byte characters into a
# 3-byte charset), 1265 data truncated, 1367 illegal double value.
ROW_ERROR_CODES = {1265, 1292, 1366, 1367}

# MySQL errors after which a table's transaction is simply tried again.
LOCK_ERRORS = {1205: "lock_wait", 1213: "deadlock"}  # → their message codes


class FacUnreachable(MessageError):
    """FAC cannot be reached or refuses the login; its message is safe to show (no password)."""


def error_code(exc: BaseException) -> int:
    """The server's error number (`(1045, "Access denied…")` → 1045); 0 (no MySQL error's) when it gave none."""
    args = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], int) else 0


def database_error_text(exc: BaseException) -> str:
    """The server's own words (`(1045, "Access denied…")` → `Access denied…`), never a password."""
    args = getattr(exc, "args", ())
    return str(args[-1]) if args else exc.__class__.__name__


# Connection errors the server describes in English, said in the reader's language instead.
KNOWN_REASONS = {
    1044: "reason_database_refused",
    1045: "reason_access_denied",
    1049: "reason_unknown_database",
    2002: "reason_cannot_connect",
    2003: "reason_cannot_connect",
    2005: "reason_unknown_host",
    2006: "reason_gone_away",
    2013: "reason_lost_connection",
    1021: "reason_ops_full",  # Disk full (…); waiting for someone to free some space
    1114: "reason_ops_full",  # The table '…' is full
}

# OPS can store no more: its disk, or a tablespace of fixed size, is full.
FULL_CODES = {1021, 1114}
LOST_CODES = {2006, 2013}
FULL_REMEMBERED_SECONDS = 600


class OpsFull:
    """When OPS last said it could store no more, in this process (time.monotonic()).

    A server out of disk often dies next (InnoDB stops on a failed write); the connection lost
    just after is then said as the disk, not as the connection settings. A watcher lives for
    weeks: only a refusal of the last FULL_REMEMBERED_SECONDS counts.
    """

    at: float | None = None

    @classmethod
    def note(cls, exc: BaseException) -> None:
        if error_code(exc) in FULL_CODES:
            cls.at = time.monotonic()

    @classmethod
    def recent(cls) -> bool:
        return cls.at is not None and time.monotonic() - cls.at < FULL_REMEMBERED_SECONDS


def error_reason(exc: BaseException) -> Message:
    """Why a database refused, as a message: known connection errors in words, others in the server's own."""
    code = KNOWN_REASONS.get(error_code(exc))
    return message(code) if code else message("as_recorded", text=database_error_text(exc))


# Why MySQL refused a row's value, said in words, with the column (or key) it names.
# The name comes quoted, alone or qualified: 'nom', `db`.`table`.`nom`, 'clients.code'.
ROW_REASONS = {
    1048: ("reason_null", r"Column (\S+)"),
    1062: ("reason_duplicate", r"for key (\S+)"),
    1264: ("reason_out_of_range", r"column (\S+)"),
    1265: ("reason_truncated", r"column (\S+)"),
    1292: ("reason_bad_date", r"column (\S+)"),
    1366: ("reason_charset", r"column (\S+)"),
    1406: ("reason_too_long", r"column (\S+)"),
}


def row_reason(exc: BaseException) -> Message:
    """Why OPS refused a row: `Data too long for column 'nom' at row 1` → value too long for column nom."""
    code, pattern = ROW_REASONS.get(error_code(exc), ("", ""))
    found = re.search(pattern, database_error_text(exc)) if code else None
    if found:
        # The server's own words ride along for the log (MySQL's manual is searched with them).
        column = found.group(1).rsplit(".", 1)[-1].strip("`'")
        return message(code, column=column, server=database_error_text(exc))
    return message("as_recorded", text=database_error_text(exc))


def is_row_error(exc: DatabaseError) -> bool:
    """Whether OPS refused a value of a row (rather than failing as a whole)."""
    if isinstance(exc, DataError | IntegrityError):
        return True
    return isinstance(exc, OperationalError) and error_code(exc) in ROW_ERROR_CODES


class OpsUnavailable(MessageError):
    """OPS cannot be reached, refuses the login, or lacks opsync's tables; the message says what to do."""


# MySQL: no such table; SQLite says it in words.
MISSING_TABLE_CODES = {1146}


def ops_problem(exc: DatabaseError) -> Message:
    """What an error on OPS means to an operator: not migrated yet, or not reachable."""
    if error_code(exc) in MISSING_TABLE_CODES or "no such table" in str(exc):
        return message("ops_not_migrated")
    if error_code(exc) in LOST_CODES and OpsFull.recent():
        return message("ops_lost_full", reason=error_reason(exc))
    if error_code(exc) in LOGIN_REFUSED:
        return message("ops_refused", reason=error_reason(exc))
    return message("ops_unreachable", reason=error_reason(exc))


def ops_check() -> None:
    """Open the OPS connection and make sure opsync's migrations are applied, or raise OpsUnavailable.

    One query (Django's record of applied migrations) against the migration files' names: every
    run starts with it, and loading Django's whole migration graph would cost more than an idle run.
    Those migrations depend on Django's own, so theirs are applied too.
    """
    from django.db.migrations.recorder import MigrationRecorder  # only when a command starts

    import syncapp.migrations

    connection = connections[OPS_ALIAS]
    on_disk = {name for _, name, _ in pkgutil.iter_modules(syncapp.migrations.__path__) if name[:1].isdigit()}
    try:
        connection.ensure_connection()
        applied = {name for app, name in MigrationRecorder(connection).applied_migrations() if app == "syncapp"}
    except DatabaseError as exc:
        raise OpsUnavailable(ops_problem(exc)) from None
    if not on_disk <= applied:
        raise OpsUnavailable(message("ops_not_migrated"))


FAC_UNREACHABLE = ("fac_unreachable", "fac_refused", "fac_file_unreadable")  # the codes of fac_unreachable()'s messages
# The server answered, and refused the login or the database.
LOGIN_REFUSED = {1044, 1045, 1049}


def fac_unreachable(exc: DatabaseError) -> Message:
    """FAC does not answer: what to check. A SQLite FAC (the demo) is a file: its name, not a server's."""
    connection = connections[FAC_ALIAS]
    if connection.vendor == "sqlite":
        path = str(connection.settings_dict["NAME"]).removeprefix("file:").split("?")[0]
        return message("fac_file_unreadable", path=path, reason=error_reason(exc))
    if error_code(exc) in LOGIN_REFUSED:
        return message("fac_refused", reason=error_reason(exc))
    return message("fac_unreachable", reason=error_reason(exc))


def fac_check() -> None:
    """Open the FAC connection, or raise FacUnreachable saying what to check."""
    try:
        connections[FAC_ALIAS].ensure_connection()
    except DatabaseError as exc:
        raise FacUnreachable(fac_unreachable(exc)) from None


def fac_check_afresh() -> None:
    """A new FAC connection, and a query on it: what the health check needs to know FAC answers now."""
    connection = connections[FAC_ALIAS]
    connection.close()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        raise FacUnreachable(fac_unreachable(exc)) from None
    finally:
        connection.close()


def load_data_note() -> Message | None:
    """Why OPS's first copies cannot use LOAD DATA LOCAL (opsync/env.load_data_allowed), if they cannot."""
    ops = connections[OPS_ALIAS]
    if ops.vendor != "mysql" or ops.settings_dict["OPTIONS"].get("local_infile"):
        return None
    return message("load_data_off", host=ops.settings_dict["HOST"])


def broken_connections_drop() -> None:
    """A connection found dead (FAC cut mid-read or between tables) is closed, to be reopened."""
    for alias in (FAC_ALIAS, OPS_ALIAS):
        connection = connections[alias]
        if connection.connection is not None and not connection.in_atomic_block and not connection.is_usable():
            connection.close()
