"""A FAC table opsync has no built-in knowledge of, for the demo: `navires`, the ships calling at
Owendo. Declared in deploy/mapping.demo.toml, it shows what any reference table of FAC's gets
once named in the mapping file: a mirror made by `migrate`, the sync, the admin's list.
"""

import random
from datetime import datetime, timedelta
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from syncapp.sql.names import identifier
from syncapp.sql.rows import insert_statement

TABLE = "navires"
DDL = {
    "mysql": (
        "CREATE TABLE navires (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, nom VARCHAR(255) NOT NULL, "
        "imo CHAR(7) NULL, pavillon ENUM('GA','FR','LR','PA','MT') NULL, jauge DECIMAL(12,2) NULL, "
        "mise_en_service DATE NULL, created_at TIMESTAMP NULL DEFAULT NULL, updated_at TIMESTAMP NULL DEFAULT NULL, "
        "deleted_at TIMESTAMP NULL DEFAULT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
    ),
    "sqlite": (
        "CREATE TABLE navires (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, nom varchar(255) NOT NULL, "
        "imo char(7) NULL, pavillon varchar(2) NULL, jauge decimal(12,2) NULL, mise_en_service date NULL, "
        "created_at datetime NULL, updated_at datetime NULL, deleted_at datetime NULL)"
    ),
}
SHIPS = (
    ("Ogooué Express", "GA"), ("Cap Lopez", "GA"), ("Mandji", "FR"), ("Akanda Star", "LR"),
    ("Pointe Denis", "PA"), ("Lambaréné", "GA"), ("Nyanga Trader", "MT"), ("Étoile d'Owendo", "GA"),
)  # fmt: skip
COLUMNS = ("id", "nom", "imo", "pavillon", "jauge", "mise_en_service", "created_at", "updated_at", "deleted_at")


def navire_rows(seed: int, now: datetime) -> list[dict[str, Any]]:
    """The ships, one withdrawn from service (soft-deleted), dates naive UTC as FAC stores them; each by
    column, as the dataset holds every table's rows."""
    rng = random.Random(f"{seed}:{TABLE}")
    now = now.replace(tzinfo=None, microsecond=0)
    found = []
    for number, (name, flag) in enumerate(SHIPS, start=1):
        created = now - timedelta(days=rng.randint(30, 700))
        updated = created + timedelta(days=rng.randint(0, 25))
        built = datetime(rng.randint(1995, 2022), rng.randint(1, 12), rng.randint(1, 28)).date()
        deleted = updated if number == len(SHIPS) else None
        imo = str(9_100_000 + rng.randint(0, 899_999))
        values = (number, name, imo, flag, f"{rng.randint(800, 60_000)}.00", built, created, updated, deleted)
        found.append(dict(zip(COLUMNS, values, strict=True)))
    return found


def table_create_and_fill(connection: BaseDatabaseWrapper, rows: list[dict[str, Any]]) -> None:
    """Create the table where it is missing, and put the rows in it (a private, writable connection)."""
    with connection.cursor() as cursor:
        if TABLE not in connection.introspection.table_names(cursor):
            cursor.execute(DDL[connection.vendor])
        cursor.execute(f"DELETE FROM {identifier(connection, TABLE)}")
        cursor.executemany(insert_statement(connection, TABLE, COLUMNS), [[row[c] for c in COLUMNS] for row in rows])
