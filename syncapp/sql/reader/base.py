"""Django's MySQL backend for FAC's reader, with its session set up in two statements.

Every statement an idle run sends counts against FAC (issue 26: at most 2 per table plus 3), and
cron opens FAC afresh every five minutes. Django's backend sends three statements on connecting
besides the init_command: mysqlclient's `SET NAMES` (after the handshake has already chosen the
character set), `SELECT VERSION(), @@sql_mode, …` to learn the server's version and whether
SQL_AUTO_IS_NULL is on, and then the SET that turns it off. Here the init_command says the
character set, the time zone and SQL_AUTO_IS_NULL in one SET and the read-only transaction in a
second (opsync/env.py), and the server's version is the one its handshake gave. Anything else
Django asks of the server (its SQL mode, its storage engine) is still asked, once, when asked.
"""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.mysql import base
from django.utils.functional import cached_property
from MySQLdb import connections

# MariaDB before 11 opens its handshake's version with this, for clients older than MySQL 5.5.
MARIADB_HANDSHAKE_PREFIX = "5.5.5-"


class Connection(connections.Connection):
    def set_character_set(self, charset: str, collation: str | None = None) -> None:
        """The handshake chose utf8mb4 for the client library, the init_command's SET NAMES for the server."""
        if charset == "utf8mb4" and not collation:
            self.encoding = "utf8"  # Python's name for it, as mysqlclient would set it
        else:
            super().set_character_set(charset, collation)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Connection:
        return Connection(**conn_params)

    def init_connection_state(self) -> None:
        # Django's MySQL backend would read the server's variables and SET SQL_AUTO_IS_NULL = 0:
        # the init_command has said it; the base class still checks the server's version.
        BaseDatabaseWrapper.init_connection_state(self)

    @cached_property
    def mysql_server_info(self) -> str:
        self.ensure_connection()
        return self.connection.get_server_info().removeprefix(MARIADB_HANDSHAKE_PREFIX)
