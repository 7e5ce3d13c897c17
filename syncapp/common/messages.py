"""What happened, as a code and its parameters: stored so, and put into words when it is shown.

A run records its problems as `{"code": …, "params": {…}}`. Each surface renders them in its
reader's language (the command, the admin and the mails in LANGUAGE_CODE), and the log in
English, always, so that it can be searched with grep. The texts below are the English
originals; locale/ holds their French.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypedDict, TypeGuard

from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext_lazy, pgettext
from django.utils.translation import gettext_noop as _

from syncapp.common.formats import Count
from syncapp.common.text import escaped

if TYPE_CHECKING:  # the stubs' name for what ngettext_lazy returns; Django has no such class
    from django.utils.functional import _StrPromise


class Message(TypedDict):
    """{"code": "fac_unreachable", "params": {"reason": "…"}}: a code of TEXTS and its parameters, each a
    number, a text, a list of names or a message itself (rendered() puts each into words)."""

    code: str
    params: dict[str, Any]


TEXTS: "dict[str, str | _StrPromise]" = {
    "fac_file_unreadable": _(
        "FAC unreachable: its SQLite file {path} cannot be opened ({reason}); check FAC_DB_DATABASE"
    ),
    "fac_unreachable": _(
        "FAC unreachable ({reason}); check FAC_DB_HOST, FAC_DB_PORT, FAC_DB_DATABASE, FAC_DB_USERNAME "
        "and FAC_DB_PASSWORD"
    ),
    "fac_query_failed": _("a FAC query failed: {reason}"),
    # The server answered and refused the login: not "unreachable" (nothing to check on the network).
    "fac_refused": _(
        "FAC refused opsync's login ({reason}); check FAC_DB_USERNAME, FAC_DB_PASSWORD and FAC_DB_DATABASE, and "
        "the reader's grants (sql/create_ops_reader.sql)"
    ),
    "ops_refused": _("OPS refused opsync's login ({reason}); check DB_USERNAME, DB_PASSWORD and DB_DATABASE"),
    "ops_unreachable": _(
        "OPS unreachable ({reason}); check DB_HOST, DB_PORT, DB_DATABASE, DB_USERNAME and DB_PASSWORD"
    ),
    "ops_lost_full": _(
        "OPS stopped answering ({reason}) just after saying it could store no more: its server's disk is "
        "most likely full; free space there, check that its MariaDB runs, then run again"
    ),
    "ops_not_migrated": _("OPS is not migrated: run manage.py migrate"),
    "table_missing": _("{side} has no table '{table}'"),
    "schema_drift": _("schema drift: {side} table '{table}' has no column {columns}"),
    "load_data_off": _(
        "first copies without LOAD DATA LOCAL: OPS ({host}) is not on this host and DB_SSL_CA is not set, so its "
        "server is not allowed to ask opsync for files; they go by batched upserts, more slowly"
    ),
    "schema_unfit": _("not written: {problem} (--check lists every problem)"),
    "mirror_behind": _(
        "not written: OPS {table} no longer fits FAC ({problem}); `python manage.py migrate` brings the mirror in line"
    ),
    "declaration_refused": _("not mirrored: {problem}"),
    "ops_table_not_owned": _(
        "OPS {table} was not created by opsync: it is the operations application's table; to feed it, adopt it "
        "in the mapping file (adopt = true, with identity)"
    ),
    "ops_tables_not_owned": ngettext_lazy(
        "OPS already has {tables}, a table opsync did not create (the operations application's): nothing was "
        "created. Adopt it in the mapping file (SYNC_MAPPING_FILE: adopt = true, with identity; see the guide), "
        "then run migrate again",
        "OPS already has {tables}, tables opsync did not create (the operations application's): nothing was "
        "created. Adopt them in the mapping file (SYNC_MAPPING_FILE: adopt = true, with identity; see the "
        "guide), then run migrate again",
        "count",
    ),
    "ops_table_other_mirror": _("OPS {table} is opsync's mirror of FAC {owner}: FAC {fed} cannot feed it"),
    # --check (syncapp/engine/schema.py): a column is `FAC clients.nif` or `OPS clients.ninea`.
    "check_view": _("OPS {table} is a view: opsync writes only into tables, never through a view"),
    "check_missing": _("{column} is missing"),
    "check_missing_fed": _("{column} is missing (fed by {fed})"),
    "check_not_null": _("{column} is NOT NULL but {fed} may be NULL: such rows would be refused"),
    "check_cannot_hold": _("{column} ({type}) cannot hold {fed} ({fed_type}): {why}"),
    "check_type_warning": _("{column} ({type}) and {fed} ({fed_type}): {why}"),
    "check_app_timestamp": _(
        "{column} is fed by FAC, and the operations application writes it too (Laravel, on every save): leave "
        "it out of the mapping, or --verify and the daily check find differences every day"
    ),
    "check_id_key": _("{column} is not its primary key: an update by id could touch several rows"),
    "check_synced_at_missing": _("{column} (synced_at) is missing"),
    "check_synced_at_type": _("{column} (synced_at) is not a datetime"),
    "check_not_null_unfed": _(
        "{column} is NOT NULL without a default and no FAC column feeds it: opsync could not insert a row"
    ),
    "hold_rounded": _("a fixed-point number would be rounded"),
    "hold_fewer_digits": _("fewer digits"),
    "hold_not_datetime": _("not a date and time"),
    "hold_not_kind": _("not a {kind}"),
    "hold_not_text": _("not a text column"),
    "hold_enum": _("values {values} are not in its list"),
    "hold_too_short": ngettext_lazy(
        "{count} character where FAC allows {needed}", "{count} characters where FAC allows {needed}", "count"
    ),
    "hold_charset": _("{charset} cannot store 4-byte characters (emoji): such rows would be refused"),
    "hold_not_integer": _("not an integer"),
    "hold_smaller_integer": _("a smaller integer"),
    "hold_signed": _("signed: the largest unsigned values would be refused"),
    "mass_delete": ngettext_lazy(
        "refused to mark {deleted} of {live} live rows deleted (more than SYNC_MAX_DELETE_RATIO, {percent}%); "
        "check FAC, then confirm with --allow-mass-delete",
        "refused to mark {deleted} of {live} live rows deleted (more than SYNC_MAX_DELETE_RATIO, {percent}%); "
        "check FAC, then confirm with --allow-mass-delete",
        "deleted",
    ),
    # MySQL's own words ("Lock wait timeout exceeded; try restarting transaction") are not said:
    # what happened and what to do are, in the reader's language.
    "lock_wait": ngettext_lazy(
        "another OPS session (the operations application?) kept rows of this table locked for longer "
        "than SYNC_LOCK_WAIT_TIMEOUT, {attempts} attempt: the table was left as it was and the next run "
        "tries again; if it happens again, look on OPS for a transaction left open (SHOW PROCESSLIST)",
        "another OPS session (the operations application?) kept rows of this table locked for longer "
        "than SYNC_LOCK_WAIT_TIMEOUT, {attempts} attempts: the table was left as it was and the next run "
        "tries again; if it happens again, look on OPS for a transaction left open (SHOW PROCESSLIST)",
        "attempts",
    ),
    "deadlock": ngettext_lazy(
        "OPS chose this table's writes to give way in a deadlock with another session, {attempts} "
        "attempt: the table was left as it was and the next run tries again",
        "OPS chose this table's writes to give way in a deadlock with another session, {attempts} "
        "attempts: the table was left as it was and the next run tries again",
        "attempts",
    ),
    "lock_wait_retried": _("an OPS lock wait timed out"),
    "deadlock_retried": _("OPS chose it in a deadlock"),
    "database_error": _("database error: {reason}"),
    "interrupted": _("interrupted: {reason}"),
    "stopped": _("stopped as asked (SIGTERM) before the end of: {tables}; those tables were left as they were"),
    "not_started": _("the run's process could not be started: {reason}"),
    "locked": _("run #{run} (host {host}, pid {pid}, started {started}) holds the lock"),
    "locked_unrecorded": _("an unrecorded process holds the lock"),
    "abandoned": _("the process ended without finishing (killed?); the next run took over"),
    "ops_differs": _("OPS differs from FAC: {tables}; a full run repairs it"),
    "ops_collides": _(
        "FAC rows have the ids of OPS-only rows in {tables}; --renumber-ops-only {table} moves the OPS rows"
    ),
    "repaired": _("the daily check found OPS different from FAC in {tables}, and repaired it"),
    "row_refused": _("row #{id} not stored: {reason}"),
    "collision": _(
        "collision: FAC {table} #{id} has the id of the OPS-only row {ops_table} #{id}; "
        "sync_from_facturation --renumber-ops-only {table} moves the OPS row, then FAC's is copied"
    ),
    "table_failed": _("{table}: {problem}"),
    "renumber_not_adopted": _("{table} is opsync's own mirror: all its rows are FAC's, none to renumber"),
    "renumber_needs_mysql": _("renumbering needs OPS on MySQL or MariaDB"),
    "renumber_not_compared": _(
        "no run has compared {table} yet: run sync_from_facturation --table {table} first (it writes none of "
        "OPS's own rows)"
    ),
    "as_recorded": _("{text}"),  # in its own words: a server's, or a record made before messages were kept
    "reason_access_denied": _("Access denied: wrong user name or password"),
    "reason_database_refused": _("Access denied to this database for this user"),
    "reason_unknown_database": _("Unknown database"),
    "reason_cannot_connect": _("Can't connect to the server"),
    "reason_unknown_host": _("Unknown server host"),
    "reason_gone_away": _("the server has gone away"),
    "reason_lost_connection": _("Lost connection to server during query"),
    "reason_ops_full": _(
        "OPS can store no more: the disk of its server (or its tablespace) is full; free space there, then run again"
    ),
    "reason_null": _("column {column} cannot be empty"),
    "reason_duplicate": _("another row already has this value of the unique key {column}"),
    "reason_out_of_range": _("value out of range for column {column}"),
    "reason_truncated": _("value not allowed in column {column}"),
    "reason_bad_date": _("invalid date in column {column}"),
    "reason_charset": _("characters that column {column} cannot store (check its character set)"),
    "reason_too_long": _("value too long for column {column}"),
    # The watcher (sync_from_facturation --watch).
    "watch_started": _(
        "Watching FAC every {interval} s ({tables}), with a full incremental run every {minutes} min. "
        "SIGTERM or Ctrl-C stops."
    ),
    "watch_run": _("{tables}: {summary}"),
    "watch_latency": _("The newest change arrived {latency} after it was made in FAC."),
    "watch_trouble": _("{problem}; trying again, every {seconds} s at most"),
    "watch_recovered": _("Back to normal after {seconds} s."),
    "watch_stopped": _("Watcher stopped."),
    # Where the sync stands (syncapp.status.selectors), and what to do about it.
    "stale": ngettext_lazy(
        "{tables} has not been synced for more than {minutes} (last success: {since})",
        "{tables} have not been synced for more than {minutes} (last success: {since})",
        "count",
    ),
    "minutes": ngettext_lazy("{count} minute", "{count} minutes", "count"),  # inside a text that counts tables
    "late": ngettext_lazy(
        "{table} was last synced {minutes} minute ago, more than half the delay allowed ({limit}, SYNC_STALE_AFTER)",
        "{table} was last synced {minutes} minutes ago, more than half the delay allowed ({limit}, SYNC_STALE_AFTER)",
        "minutes",
    ),
    "rows_refused": ngettext_lazy(
        "OPS refused {count} row of {table} (run #{run})", "OPS refused {count} rows of {table} (run #{run})", "count"
    ),
    "rows_refused_run": _("OPS refused rows"),
    "verify_differs": ngettext_lazy(
        "the last verification (run #{run}) found {count} row of {table} different in OPS; the runs since do "
        "not repair it",
        "the last verification (run #{run}) found {count} rows of {table} different in OPS; the runs since do "
        "not repair them",
        "count",
    ),
    "run_failed": _("the last run, #{run}, failed: {reason}"),
    "table_failing": ngettext_lazy(
        "{tables} failed in run #{run}: {reason}", "{tables} failed in run #{run}: {reason}", "count"
    ),
    # The same problems in plain words, for an operations manager: what it means, who must act.
    "plain_fac": _(
        "The billing database does not answer: OPS is no longer brought up to date. IT must check the billing "
        "database server."
    ),
    "plain_failing": ngettext_lazy(
        "{tables} is no longer brought up to date: its last sync failed. IT must look at it.",
        "{tables} are no longer brought up to date: their last sync failed. IT must look at it.",
        "count",
    ),
    "plain_stale": ngettext_lazy(
        "{tables} has not been brought up to date for more than {minutes}: the sync no longer runs. Tell IT.",
        "{tables} have not been brought up to date for more than {minutes}: the sync no longer runs. Tell IT.",
        "count",
    ),
    "plain_refused": ngettext_lazy(
        "{count} row of {table} could not be copied; the rest is up to date. IT must look at it.",
        "{count} rows of {table} could not be copied; the rest is up to date. IT must look at it.",
        "count",
    ),
    "plain_differs": ngettext_lazy(
        "{count} row of {table} may not match the billing application; IT must run a full resync.",
        "{count} rows of {table} may not match the billing application; IT must run a full resync.",
        "count",
    ),
    "plain_late": ngettext_lazy(
        "{table} was last brought up to date {minutes} minute ago; nothing to do if the next sync succeeds.",
        "{table} was last brought up to date {minutes} minutes ago; nothing to do if the next sync succeeds.",
        "minutes",
    ),
    "plain_run": _("The last sync failed: OPS may not be up to date. IT must look at it."),
    "plain_watcher": _(
        "The watcher, which brings changes within seconds, no longer runs; changes still arrive every few "
        "minutes. Tell IT."
    ),
    "advice_fac": _("check the billing database server and the FAC_DB_* settings; the sync resumes by itself"),
    "advice_stale": _("check that the schedule runs (crontab, or the watcher), or press “Sync now”"),
    "advice_run": _("open run #{run} for the details"),
    "advice_rows": _("open run #{run}: each refused row is named with the reason"),
    "advice_late": _("nothing to do if the next run succeeds"),
    "advice_differs": _("run `sync_from_facturation --force --table {table}`, or wait for the daily check"),
    "watcher_gone": _("the watcher on {host} (pid {pid}) has not been heard from since {since}"),
    "watcher_missing": _("no watcher is running, and SYNC_WATCH=true leaves the sync to it"),
    "advice_watcher": _("check it with `systemctl status opsync-watch`, and start it again"),
    # FAC's missing index on the cursor, said one way by --check, --status and the watcher.
    "no_cursor_index": ngettext_lazy(
        "FAC {table} has no index on {column} ({count} row, last scan {seconds}): each sync the watcher starts on "
        "a change scans the whole table; ask FAC's administrator for: {statement}",
        "FAC {table} has no index on {column} ({count} rows, last scan {seconds}): each sync the watcher starts on "
        "a change scans the whole table; ask FAC's administrator for: {statement}",
        "count",
    ),
    "seconds": _("{n} s"),  # a float n is written by the language that renders it: 0,02 s, 0.02 s
    "watch_scan_rest": _(
        "The watcher's syncs of {table} now wait {rest} s after the last, so that FAC spends at most {percent} % "
        "of its time on opsync: {scan}"
    ),
    "fac_clock_ahead": _(
        "FAC's updated_at runs {offset} ahead of FAC's own clock ({tables}): the billing application writes its "
        "local time into UTC columns (Laravel's APP_TIMEZONE). Lag and latency are shown without it."
    ),
    "all_fresh": ngettext_lazy(
        "Everything is up to date: every table was synced less than {minutes} minute ago.",
        "Everything is up to date: every table was synced less than {minutes} minutes ago.",
        "minutes",
    ),
}


class MessageError(Exception):
    """An error that carries what went wrong as a message: said in English to Python (and the log),
    in the reader's language wherever it is shown (`exc.problem`)."""

    def __init__(self, problem: Message):
        super().__init__(in_english(problem))
        self.problem = problem


def message(code: str, **params: Any) -> Message:
    return {"code": code, "params": params}


# Parameters that count something: written as the language groups digits (2 000 in French), and
# what a plural text (ngettext_lazy, with the parameter's name) agrees with.
COUNTS = {"count", "deleted", "live", "minutes", "attempts", "more"}


def render(problem: Message | None) -> str:
    """In the active language. Parameters that are messages themselves are rendered too."""
    if not problem:
        return ""
    params = problem["params"]
    if problem["code"] == "mass_delete" and "percent" not in params:  # recorded before the percent was a number
        params = {**params, "percent": str(params.get("ratio", "")).rstrip("%")}
    values = {
        key: Count(value) if key in COUNTS and isinstance(value, int) else rendered(value)
        for key, value in params.items()
    }
    text = TEXTS[problem["code"]]
    if isinstance(text, Promise):  # a plural: ngettext_lazy picks the form by its count parameter
        return text.format(**values)
    return gettext(text).format(**values)


def rendered(value: Any) -> Any:
    """A parameter as it goes into a text: messages in words, lists of them joined; a list of names
    (tables) quoted as the language quotes them: « clients », « services »; text from outside (a FAC
    value, MySQL's words quoting one) with its control characters escaped: it stays on its line."""
    if is_message(value):
        return render(value)
    if isinstance(value, list) and all(is_message(item) for item in value):
        return rendered_all(value)
    if isinstance(value, list):
        return ", ".join(gettext("“%(name)s”") % {"name": escaped(str(name))} for name in value)
    if isinstance(value, float):  # 0.02 → 0,02 in French
        return formats.number_format(value)
    return escaped(value) if isinstance(value, str) else value


def rendered_all(problems: Iterable[Message]) -> str:
    """Several messages in one sentence, apart as the language sets a semicolon (French: a
    non-breaking space before it)."""
    return pgettext("between problems", "; ").join(render(problem) for problem in problems)


def in_english(problem: Message | None) -> str:
    """For the log, which stays in one language."""
    with translation.override("en"):
        return render(problem)


def is_message(value: object) -> TypeGuard[Message]:
    return isinstance(value, dict) and set(value) == {"code", "params"}
