"""Two FAC tables opsync has no built-in knowledge of, declared in the mapping file.

`navires`: Laravel's timestamps and soft deletes, a BIGINT UNSIGNED id, and a column of each
type a billing schema uses. `escales`: a small table with an INT id and no timestamps at all
(no cursor; FAC only hard-deletes). The tests play the billing application on them as root,
and compare both sides by SQL on the one server.
"""

from datetime import datetime
from pathlib import Path

import MySQLdb

from tests import backend

NAVIRES = """
CREATE TABLE navires (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  nom VARCHAR(255) NOT NULL,
  imo CHAR(7) NULL,
  pavillon ENUM('GA','FR','LR','PA') NULL,
  usages SET('conteneurs','vrac','rouliers') NULL,
  equipage TINYINT NULL,
  ponts SMALLINT UNSIGNED NULL,
  jauge_brute MEDIUMINT NULL,
  jauge_nette INT UNSIGNED NULL,
  port_lourd BIGINT NULL,
  tirant_eau DECIMAL(6,3) NULL,
  vitesse FLOAT NULL,
  longueur DOUBLE NULL,
  remarque TINYTEXT NULL,
  historique TEXT NULL,
  plans MEDIUMTEXT NULL,
  journal LONGTEXT NULL,
  mise_en_service DATE NULL,
  inspecte_le DATETIME(3) NULL,
  arrive_le TIMESTAMP NULL DEFAULT NULL,
  heure_pilote TIME NULL,
  annee YEAR NULL,
  drapeaux BIT(8) NULL,
  caracteristiques JSON NULL,
  photo BLOB NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  updated_at TIMESTAMP NULL DEFAULT NULL,
  deleted_at TIMESTAMP NULL DEFAULT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
"""
ESCALES = """
CREATE TABLE escales (
  id INT NOT NULL AUTO_INCREMENT,
  port VARCHAR(100) NOT NULL,
  pays CHAR(2) NOT NULL,
  quai SMALLINT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
"""
MAPPING = """
# Every column FAC has; the cursor and the deletions by default (updated_at, deleted_at).
[navires]

# No timestamps at all: every run compares by range checksums; FAC only hard-deletes.
[escales]
cursor = false
deleted_at = false
"""
DECLARED = ("navires", "escales")
BIG_ID = 10_000_000_000_000_000_000  # past BIGINT's signed range: the id is UNSIGNED


def root(database: str) -> MySQLdb.Connection:
    """A root session in UTC, so that FAC's TIMESTAMPs read as the instants OPS's DATETIMEs hold."""
    session = MySQLdb.connect(db=database, charset="utf8mb4", autocommit=True, **backend.MYSQL)
    query(session, "SET time_zone = '+00:00', sql_mode = ''")  # '': FAC's legacy zero dates
    return session


def query(session: MySQLdb.Connection, sql: str, params=()) -> list[tuple]:
    with session.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def write_mapping(directory: Path, text: str = MAPPING) -> Path:
    path = directory / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


def navire(number: int, **values) -> dict:
    """A FAC row of navires with a value in every column, of every kind."""
    row = {
        "id": BIG_ID + number,
        "nom": f"Navire {number} Ogooué",
        "imo": f"{9_000_000 + number}",
        "pavillon": "GA",
        "usages": "conteneurs,vrac",
        "equipage": -12,
        "ponts": 65_535,
        "jauge_brute": -8_388_608,
        "jauge_nette": 4_294_967_295,
        "port_lourd": -9_223_372_036_854_775_808,
        "tirant_eau": "12.345",
        "vitesse": 0.1,  # not exact in a FLOAT: copied bit for bit all the same
        "longueur": 0.1 + 0.2,
        "remarque": "« Ville d'Owendo » \\ \t tab",
        "historique": "Escales : Libreville, Port-Gentil 🚢 " + "x" * 60_000,  # 60 KB in a TEXT (64 KB at most)
        "plans": "x" * 70_000,
        "journal": "🌊" * 1000,
        "mise_en_service": "2011-04-30",
        "inspecte_le": "2026-11-30 08:15:42.125",
        "arrive_le": "2026-11-30 07:00:00",
        "heure_pilote": "-12:30:15",
        "annee": 2011,
        "drapeaux": b"\x05",
        "caracteristiques": '{"grues": 2, "reefer": true, "nom": "Ogooué"}',
        "photo": bytes(range(256)) * 4,
        "created_at": "2026-11-01 10:00:00",
        "updated_at": "2026-11-01 10:00:00",
        "deleted_at": None,
    }
    return row | values


def insert(session: MySQLdb.Connection, table: str, row: dict) -> None:
    columns = ", ".join(f"`{column}`" for column in row)
    query(session, f"INSERT INTO `{table}` ({columns}) VALUES ({', '.join(['%s'] * len(row))})", list(row.values()))


def update(session: MySQLdb.Connection, table: str, row_id: int, **values) -> None:
    assignments = ", ".join(f"`{column}` = %s" for column in values)
    query(session, f"UPDATE `{table}` SET {assignments} WHERE id = %s", [*values.values(), row_id])


def columns_of(session: MySQLdb.Connection, database: str, table: str) -> list[tuple[str, str]]:
    """(column, data type) of a table, in order."""
    sql = (
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
        "ORDER BY ordinal_position"
    )
    return [(name, kind) for name, kind in query(session, sql, [database, table])]


def value_sql(column: str, kind: str) -> str:
    """A value as the comparison reads it: a FLOAT widened (its exact bits), binary in hex, the rest as is."""
    if kind in ("float", "double"):
        return f"CAST(`{column}` AS DOUBLE)"
    if kind in ("bit", "blob", "binary", "varbinary"):
        return f"HEX(`{column}`)"
    return f"`{column}`"


def snapshot(session: MySQLdb.Connection, database: str, table: str, columns: list[tuple[str, str]]) -> dict:
    """Every row of a table, by id, as the FAC columns read (the same expressions on either side)."""
    listed = ", ".join(value_sql(column, kind) for column, kind in columns)
    return {row[0]: row for row in query(session, f"SELECT {listed} FROM `{database}`.`{table}`")}


ZERO_DELETED_AT = datetime(1970, 1, 1, 0, 0, 1)  # a zero date in FAC's deleted_at, as OPS keeps it
