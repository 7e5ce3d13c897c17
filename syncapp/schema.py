"""Does FAC's live schema still fit the declared mapping? (Extra FAC columns are fine.)"""

from syncapp.mapping import TableMapping
from syncapp.sql import server


def schema_problem(mapping: TableMapping) -> str | None:
    """Why FAC's live table no longer fits the mapping, in one line, or None."""
    fac = mapping.fac
    live = server.table_columns(fac.connection, fac.table)
    if live is None:
        return f"FAC has no table '{fac.table}'"
    missing = [column for column in fac.columns if column not in live]
    if not missing:
        return None
    others = f" (nor {', '.join(missing[1:])})" if len(missing) > 1 else ""
    return f"schema drift: FAC table '{fac.table}' has no column '{missing[0]}'{others}"
