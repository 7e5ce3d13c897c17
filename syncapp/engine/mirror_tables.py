"""The mirrors opsync owns, made and brought in line with FAC by `manage.py migrate` (post_migrate).

A mirror's columns are FAC's, known only by asking FAC, so each mirror, the five's as a declared
table's, is made right after the migrations, by the same command, from FAC's columns (the five's:
those the contract lists). Then every mirror follows FAC the same way: when FAC's columns have
changed since, a column FAC added (to a declaration that takes every FAC column) is added, and a
column whose FAC type the mirror can no longer hold (a name widened to 600 characters) is given
FAC's type. Nothing is dropped: a column FAC no longer has stays, and no row is lost.

Only a table opsync created is ever altered: each mirror is recorded as it is created
(syncapp/config/owned_tables.py), and an existing OPS table it did not create is the operations
application's, refused in one line.
"""

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import translation
from django.utils.translation import gettext as _

from syncapp.common.aliases import OPS_ALIAS
from syncapp.common.messages import Message, message, render
from syncapp.config.databases import FacUnreachable, error_reason, fac_check
from syncapp.config.mapping import TableMapping, mappings, tables_resolve
from syncapp.config.mapping_file import MappingFileError
from syncapp.config.owned_tables import owned_forget, owned_found, owned_problem, owned_record
from syncapp.engine.schema import columns_are_typed, holds
from syncapp.sql import ddl, server

Change = tuple[str, str, str]  # ("create" | "add" | "modify", OPS column, its type)


def owned_mirrors() -> list[TableMapping]:
    """Every mirror opsync owns (or will make), the five's first: each table not adopted."""
    return [mapping for mapping in mappings() if not mapping.adopted]


def mirrors_missing() -> list[TableMapping]:
    """The mirrors opsync has yet to make: their OPS table does not exist."""
    ops = connections[OPS_ALIAS]
    return [mapping for mapping in owned_mirrors() if server.table_columns(ops, mapping.ops_table) is None]


def wanted_columns(mapping: TableMapping) -> list[tuple[str, str]]:
    """The mirror's columns and their types: FAC's mapped ones, then its own deleted_at and synced_at."""
    connection, fac = connections[OPS_ALIAS], mapping.fac_schema.columns
    mapping.resolve()
    wanted = [(ops, ddl.column_type(connection, fac[column])) for column, ops in mapping.pairs]
    own = ddl.OWN_DATETIME[connection.vendor]
    deleted_at, synced_at = mapping.ops_deleted_at, mapping.synced_at
    assert deleted_at and synced_at, "a mirror opsync creates has both"
    if deleted_at not in mapping.ops_columns:
        wanted.append((deleted_at, own))
    return [*wanted, (synced_at, own)]


def mirror_changes(mapping: TableMapping) -> list[Change]:
    """What would bring the mirror in line with FAC (the mapping as resolved now): nothing when it is."""
    wanted = wanted_columns(mapping)
    live = server.column_info(connections[OPS_ALIAS], mapping.ops_table)
    if live is None:
        return [("create", column, declared) for column, declared in wanted]
    fac = mapping.fac_schema.columns
    fed_by = {ops: fac_column for fac_column, ops in mapping.pairs}
    changes = []
    for column, declared in wanted:
        if column not in live:
            changes.append(("add", column, declared))
        elif column in fed_by and columns_are_typed(live[column]) and holds(fac[fed_by[column]], live[column])[0]:
            changes.append(("modify", column, declared))
    return changes


def mirror_apply(mapping: TableMapping, changes: list[Change]) -> None:
    connection = connections[OPS_ALIAS]
    if changes and changes[0][0] == "create":
        recorded = owned_record(mapping)  # first: a table opsync made is never left without its record
        deleted_at = mapping.ops_deleted_at
        assert deleted_at, "a mirror opsync creates has one"
        try:
            ddl.table_create(connection, mapping.ops_table, [c[1:] for c in changes], deleted_at=deleted_at)
        except DatabaseError:
            if recorded:
                owned_forget(mapping)
            raise
        return
    for action, column, declared in changes:
        if action == "add":
            ddl.column_add(connection, mapping.ops_table, column, declared)
        else:
            ddl.column_modify(connection, mapping.ops_table, column, declared)


class MirrorsNotMade(Exception):
    """`migrate` could not make or bring in line every mirror: the lines that say why, in the reader's
    language (manage.py prints them and exits 1)."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def mirrors_make(say) -> None:
    """Each mirror opsync owns made if missing, else brought in line with FAC: a column FAC widened is
    widened, one FAC added is added, for the five as for the declared; one line for each that changed.

    Every mirror is checked before any is made: where OPS already has tables opsync did not create (an
    operations application's `clients`…), or a declaration cannot be resolved, nothing is made, and
    MirrorsNotMade says which and what to do (MySQL cannot roll DDL back: half an OPS made would have
    to be dropped by hand before the mapping file could adopt those tables)."""
    planned: list[tuple[TableMapping, list[Change]]] = []
    foreign: list[str] = []
    problems: list[str] = []
    for mapping in mirrors_resolved():
        try:
            owned_found(mapping)
            problem = owned_problem(mapping)
            if problem and problem["code"] == "ops_table_not_owned":
                foreign.append(mapping.ops_table)
            elif problem:
                problems.append(no_mirror(mapping, render(problem)))
            else:
                planned.append((mapping, mirror_changes(mapping)))
        except MappingFileError as exc:
            problems.append(no_mirror(mapping, str(exc)))
        except DatabaseError as exc:
            problems.append(no_mirror(mapping, render(error_reason(exc))))
    if foreign:
        raise MirrorsNotMade([render(message("ops_tables_not_owned", tables=foreign, count=len(foreign))), *problems])
    if problems:
        raise MirrorsNotMade(
            [*problems, _("No mirror was created or changed; run migrate again once this is corrected.")]
        )
    failed = []
    for mapping, changes in planned:
        try:
            mirror_apply(mapping, changes)
        except DatabaseError as exc:
            failed.append(no_mirror(mapping, render(error_reason(exc))))
            continue
        if changes and changes[0][0] == "create":
            say(_("Created OPS %(ops_table)s, the mirror of FAC %(table)s.") % mirror_names(mapping))
        elif changes:
            columns = ", ".join(column for _, column, _ in changes)
            say(_("OPS %(ops_table)s brought in line with FAC %(table)s: %(columns)s.")
                % {**mirror_names(mapping), "columns": columns})  # fmt: skip
    if failed:
        raise MirrorsNotMade(failed)


def no_mirror(mapping: TableMapping, problem: str) -> str:
    return _("No mirror for FAC %(table)s: %(problem)s") % {"table": mapping.name, "problem": problem}


def mirrors_resolved() -> list[TableMapping]:
    """Every mirror opsync owns, resolved against FAC's schema once. When FAC does not answer, those
    still to be made are named in MirrorsNotMade (those made wait for the next migrate)."""
    problem: Message
    try:
        fac_check()
        return tables_resolve([mapping.name for mapping in owned_mirrors()])[0]
    except FacUnreachable as exc:
        problem = exc.problem
    except DatabaseError as exc:
        problem = message("fac_query_failed", reason=error_reason(exc))
    if missing := mirrors_missing():
        tables = ", ".join(m.ops_table for m in missing)
        said = _("Mirrors not made (%(tables)s): %(problem)s; run migrate again once FAC answers.")
        raise MirrorsNotMade([said % {"tables": tables, "problem": render(problem)}])
    return []


def mirror_names(mapping: TableMapping) -> dict[str, str]:
    return {"table": mapping.name, "ops_table": mapping.ops_table}


def mirrors_on_migrate(sender, *, using: str, **kwargs) -> None:
    """post_migrate: after opsync's own migrations ran on OPS. In LANGUAGE_CODE, as the rest of opsync
    speaks (Django's commands speak English)."""
    if using != OPS_ALIAS or any(backwards for _, backwards in kwargs.get("plan") or []):
        return  # migrated back to an earlier release's tables: that release made its mirrors its own way
    stdout = kwargs.get("stdout")
    with translation.override(settings.LANGUAGE_CODE):
        mirrors_make(lambda line: stdout.write(line + "\n") if stdout else print(line))
