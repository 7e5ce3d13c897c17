"""Names in SQL: every table, column and index name reaches a statement through `identifier`.

FAC is another team's database and OPS the operations application's: a name read from either
one's schema is data, not SQL. Django's `quote_name` is not made for that (MySQL's neither
doubles a backtick inside a name nor quotes a name already in backticks), so opsync quotes
names itself, as each server's grammar says: in backticks on MySQL, in double quotes on
SQLite, the quote character doubled inside. Every statement runs with a parameter list, where
`%` introduces a parameter: a `%` in a name is doubled too.

What opsync accepts as a name from outside (the mapping file, FAC's schema) is NAME: the
quoting is the second wall, not the first.
"""

import re

from django.db.backends.base.base import BaseDatabaseWrapper

# A table or column name opsync accepts from the mapping file or FAC's schema: no quote, space,
# dot, comment sign or control character, and no longer than MySQL allows (64).
NAME = re.compile(r"[A-Za-z0-9_$]{1,64}")
RULE = "letters, digits, _ or $; 64 at most"


def name_sql(vendor: str, name: str) -> str:
    """A name as `vendor`'s SQL writes it (mysql: `name`; sqlite: "name"), whatever it holds."""
    if not name or "\x00" in name:
        raise ValueError("a name must be non-empty and hold no NUL character")
    if vendor == "mysql":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def identifier(connection: BaseDatabaseWrapper, name: str) -> str:
    """A name in a statement run with parameters: quoted for the connection's server, `%` doubled."""
    return name_sql(connection.vendor, name).replace("%", "%%")


def quoter(connection: BaseDatabaseWrapper):
    """identifier() for one connection, for statements that name many things."""
    return lambda name: identifier(connection, name)
