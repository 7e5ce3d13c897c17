"""Do the live tables still fit the mapping? Both sides, in depth, before every run and for --check.

Each problem is one line, saying what would go wrong. A problem stops --check (exit 1), and a
run does not write into an adopted table that has one: that table fails with the same line, the
others go on. A warning is printed and does not (the rows it concerns are refused one by one, and
recorded; or the comparison would find differences the application makes itself).
"""

import re
from dataclasses import dataclass, field

from django.db import connections

from syncapp.common import formats
from syncapp.common.aliases import FAC_ALIAS
from syncapp.common.messages import Message, message
from syncapp.common.text import escaped
from syncapp.config.fac_tables import MEMBER, FacTable, fac_columns
from syncapp.config.mapping import TableMapping
from syncapp.config.mapping_file import MappingFileError
from syncapp.config.owned_tables import owned_problem
from syncapp.models import SyncState
from syncapp.sql import server

TEXT_TYPES = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"}
INTEGER_BYTES = {"tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "integer": 4, "bigint": 8}
DATETIME_TYPES = {"timestamp", "datetime"}
BYTES_PER_CHARACTER = {"utf8mb4": 4, "utf8mb3": 3, "utf8": 3, "ucs2": 2, "utf16": 4, "utf32": 4}


# What a mirror opsync owns may fall behind FAC in and still be written: the rows whose values it
# cannot hold (a name FAC widened) are refused one by one, the others written, until `migrate`
# brings it in line. A column it lacks, or a table that is not its own, stops the table.
ROW_PROBLEMS = ("check_cannot_hold", "check_not_null")


@dataclass
class SchemaCheck:
    problems: list[Message] = field(default_factory=list)  # messages (syncapp.common.messages): said in each language
    warnings: list[Message] = field(default_factory=list)


def schema_problem(mapping: TableMapping) -> Message | None:
    """Before a run: why the live tables no longer fit the mapping (a message), or None.

    FAC must still have the table, every mapped column and the cursor (extra FAC columns are
    fine), and still allow what the mapping file declares (syncapp/config/fac_tables.py). A mirror
    opsync owns (the five's, a declared table's) must be its own and have every mapped column (else
    `migrate` brings it in line; a value it cannot hold is refused row by row, ROW_PROBLEMS). An
    adopted OPS table (the operations application's) must be fit for the writes, as --check
    says: every mapped column there and big enough, no unmapped NOT NULL column without a
    default, an id that is its key, a table and not a view.
    """
    if mapping.fac_missing:
        return message("table_missing", side="FAC", table=mapping.fac_table)
    try:
        fac = mapping.fac_schema
        if mapping.declared_pairs is not None:  # columns the declaration names: gone from FAC is a drift
            named = [column for column, _ in mapping.declared_pairs]
            named += [mapping.declared_cursor] if isinstance(mapping.declared_cursor, str) else []
            if missing := [column for column in named if not fac.has(column)]:
                return drift("FAC", mapping.fac_table, missing)
        mapping.resolve()  # the declaration checked against FAC's schema
    except MappingFileError as exc:
        return message("declaration_refused", problem=str(exc))
    if not mapping.adopted:  # a mirror opsync owns, the five's as a declared table's
        if problem := owned_problem(mapping):
            return message("schema_unfit", problem=problem)
        problems = [p for p in schema_check(mapping, before_run=True).problems if p["code"] not in ROW_PROBLEMS]
        return message("mirror_behind", table=mapping.ops_table, problem=problems[0]) if problems else None
    ops = mapping.ops_compared
    if (live := server.table_columns(ops.connection, ops.table)) is not None:
        written = [*ops.columns, *([ops.synced_at] if ops.synced_at else [])]
        if missing := [column for column in written if column not in live]:
            return drift("OPS", ops.table, missing)
    if problems := schema_check(mapping, before_run=True).problems:
        return message("schema_unfit", problem=problems[0])
    return None


def drift(side: str, table: str, missing: list[str]) -> Message:
    return message("schema_drift", side=side, table=table, columns=", ".join(f"'{column}'" for column in missing))


def schema_check(mapping: TableMapping, *, before_run: bool = False) -> SchemaCheck:
    """--check: both sides' live columns against the mapping (resolved at --check's start), column by
    column. Before a run (schema_problem) only the problems matter."""
    check = SchemaCheck()
    fac, ops = mapping.fac, mapping.ops_compared
    fac_columns, refused = fac_checked(mapping)
    ops_columns = server.column_info(ops.connection, ops.table)
    if fac_columns is None:
        check.problems.append(message("table_missing", side="FAC", table=fac.table))
    if ops_columns is None:
        check.problems.append(message("table_missing", side="OPS", table=ops.table))
    elif server.is_view(ops.connection, ops.table):
        check.problems.append(message("check_view", table=ops.table))
    if not check.problems and (problem := owned_problem(mapping)):
        check.problems.append(problem)  # what else --check could say is of another's table
    if check.problems or fac_columns is None or ops_columns is None:  # a missing table is a problem
        return check
    followed = [(mapping.cursor, None)] if mapping.cursor and mapping.cursor not in mapping.columns else []
    for fac_name, ops_name in (*mapping.pairs, *followed):
        if fac_name in refused:
            check.problems.append(message("declaration_refused", problem=refused[fac_name]))
        elif fac_name not in fac_columns:
            check.problems.append(message("check_missing", column=f"FAC {fac.table}.{fac_name}"))
        elif ops_name is not None and ops_name not in ops_columns:
            missing = message(
                "check_missing_fed", column=f"OPS {ops.table}.{ops_name}", fed=f"FAC {fac.table}.{fac_name}"
            )
            check.problems.append(missing)
        elif ops_name is not None:
            column_compare(
                check,
                f"FAC {fac.table}.{fac_name}",
                fac_columns[fac_name],
                f"OPS {ops.table}.{ops_name}",
                ops_columns[ops_name],
            )
    ops_table_check(check, mapping, ops_columns)
    if mapping.cursor and not mapping.cursor_indexed and not before_run:
        check.warnings.append(cursor_index_warning(mapping))
    return check


def fac_checked(mapping: TableMapping) -> tuple[dict[str, dict] | None, dict[str, str]]:
    """FAC's columns opsync may name (None: no such table), and why each other one may not be: as the
    run resolved FAC's schema; read afresh only for a table FAC refuses for another reason (its key)."""
    found = mapping.fac_found
    if isinstance(found, FacTable):
        return found.columns, found.refused
    columns = None if found.missing else fac_columns(connections[FAC_ALIAS], mapping.fac_table)
    return (None, {}) if columns is None else columns


def cursor_index_warning(mapping: TableMapping) -> Message:
    """FAC has no index on the cursor: what each early sync costs, and the statement that spares it. The
    table's rows as the last run counted them; before any run, as FAC's server estimates them."""
    state = SyncState.objects.filter(table=mapping.name).first()
    if state is not None and state.fac_rows is not None:
        rows = state.fac_rows
    else:
        rows, _ = server.table_size(connections[FAC_ALIAS], mapping.fac_table)
    seconds = state.fac_scan_seconds if state and state.fac_scan_seconds is not None else None
    return message(
        "no_cursor_index",
        table=mapping.fac_table,
        column=mapping.cursor,
        count=rows,
        seconds=formats.duration(seconds) if seconds is not None else "-",
        statement=mapping.cursor_index_statement,
    )


# The column Laravel's Eloquent writes on every save() of a model with timestamps.
APPLICATION_TIMESTAMP = "updated_at"


def ops_table_check(check: SchemaCheck, mapping: TableMapping, columns: dict[str, dict]) -> None:
    """What the OPS table needs besides the mapped columns: a unique id, a synced_at, insertable."""
    ops = mapping.ops_compared
    if mapping.adopted and APPLICATION_TIMESTAMP in ops.columns:
        check.warnings.append(message("check_app_timestamp", column=f"OPS {ops.table}.{APPLICATION_TIMESTAMP}"))
    if "id" in columns and columns["id"].get("key") not in ("PRI", "UNI"):
        check.problems.append(message("check_id_key", column=f"OPS {ops.table}.id"))
    if ops.synced_at:
        info = columns.get(ops.synced_at)
        if info is None:
            check.problems.append(message("check_synced_at_missing", column=f"OPS {ops.table}.{ops.synced_at}"))
        elif info["data_type"] not in DATETIME_TYPES and columns_are_typed(info):
            check.problems.append(message("check_synced_at_type", column=f"OPS {ops.table}.{ops.synced_at}"))
    written = {*ops.columns, ops.synced_at}
    for name, info in columns.items():
        fed = (
            name in written or "auto_increment" in (info.get("extra") or "") or "GENERATED" in (info.get("extra") or "")
        )
        if not fed and not info["nullable"] and info["default"] is None:  # the application's name: escaped
            check.problems.append(message("check_not_null_unfed", column=f"OPS {ops.table}.{escaped(name)}"))


def columns_are_typed(info: dict) -> bool:
    """MySQL reports full types; SQLite only declared names, which are not compared."""
    return "column_type" in info


def column_compare(check: SchemaCheck, fac_label: str, fac: dict, ops_label: str, ops: dict) -> None:
    if fac["nullable"] and not ops["nullable"]:
        check.problems.append(message("check_not_null", column=ops_label, fed=fac_label))
    if not (columns_are_typed(fac) and columns_are_typed(ops)):
        return
    problem, warning = holds(fac, ops)
    types = {"column": ops_label, "type": ops["column_type"], "fed": fac_label, "fed_type": fac["column_type"]}
    if problem:
        check.problems.append(message("check_cannot_hold", **types, why=problem))
    if warning:
        check.warnings.append(message("check_type_warning", **types, why=warning))


def holds(fac: dict, ops: dict) -> tuple[Message | None, Message | None]:
    """(a problem, a warning): can an OPS column of this type hold every value of the FAC column?"""
    kind = fac["data_type"]
    if kind in TEXT_TYPES:
        return holds_text(fac, ops)
    if kind == "decimal":
        if ops["data_type"] != "decimal":
            return message("hold_rounded"), None
        if ops["scale"] < fac["scale"] or ops["precision"] - ops["scale"] < fac["precision"] - fac["scale"]:
            return message("hold_fewer_digits"), None
        return None, None
    if kind in INTEGER_BYTES:
        return holds_integer(fac, ops)
    if kind in DATETIME_TYPES:
        return (None, None) if ops["data_type"] in DATETIME_TYPES else (message("hold_not_datetime"), None)
    return (None, None) if ops["data_type"] == kind else (message("hold_not_kind", kind=kind), None)


def holds_text(fac: dict, ops: dict) -> tuple[Message | None, Message | None]:
    if fac["data_type"] == "set" == ops["data_type"]:
        missing = set(enum_values(fac)) - set(enum_values(ops))
        return (message("hold_enum", values=", ".join(sorted(missing))), None) if missing else (None, None)
    if ops["data_type"] not in TEXT_TYPES - {"set"}:
        return message("hold_not_text"), None
    if ops["data_type"] == "enum":
        missing = set(enum_values(fac)) - set(enum_values(ops)) if fac["data_type"] == "enum" else {"…"}
        return (message("hold_enum", values=", ".join(sorted(missing))), None) if missing else (None, None)
    needed, room = characters(fac), characters(ops)
    if room < needed:
        return message("hold_too_short", count=room, needed=needed), None
    if BYTES_PER_CHARACTER.get(ops["charset"], 1) < BYTES_PER_CHARACTER.get(fac["charset"], 1):
        return None, message("hold_charset", charset=ops["charset"])
    return None, None


def characters(info: dict) -> int:
    """How many characters a text column holds, whatever the text."""
    if info["data_type"] == "enum":
        return max(len(value) for value in enum_values(info))
    if info["data_type"] in ("char", "varchar"):
        return int(info["chars"])
    return int(info["octets"]) // BYTES_PER_CHARACTER.get(info["charset"], 1)


def enum_values(info: dict) -> list[str]:
    """enum('Particulier','Entreprise') → ['Particulier', 'Entreprise']."""
    members = re.findall(MEMBER, info["column_type"][info["column_type"].index("(") :])
    return [member[1:-1].replace("''", "'").replace("\\\\", "\\") for member in members]


def holds_integer(fac: dict, ops: dict) -> tuple[Message | None, Message | None]:
    if ops["data_type"] not in INTEGER_BYTES:
        return message("hold_not_integer"), None
    if fac["column_type"].startswith("tinyint(1)"):
        return None, None  # a FAC boolean: 0 or 1, which any integer holds
    fac_unsigned, ops_unsigned = "unsigned" in fac["column_type"], "unsigned" in ops["column_type"]
    fac_bytes, ops_bytes = INTEGER_BYTES[fac["data_type"]], INTEGER_BYTES[ops["data_type"]]
    if ops_bytes < fac_bytes:
        return message("hold_smaller_integer"), None
    if fac_unsigned and not ops_unsigned and ops_bytes == fac_bytes:
        return None, message("hold_signed")
    return None, None
