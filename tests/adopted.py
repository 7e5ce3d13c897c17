"""An OPS database as the operations application has it: its own clients and armateurs tables.

The tables have FAC's names but the operations application's shape: columns fed by FAC under
other names, columns of its own (one of them NOT NULL), sometimes no deleted_at nor
synced_at, a legacy utf8 charset, and ordres_travail rows that reference them by foreign key.
Their rows are copies the Laravel command made (same ids as FAC, some stale) and rows of
OPS's own, with ids FAC does not have.
"""

from pathlib import Path

import MySQLdb

from tests import backend

OPS_TABLES = """
CREATE TABLE clients (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  code VARCHAR(20) NULL,
  nom VARCHAR(255) NOT NULL,
  email VARCHAR(255) NULL,
  telephone VARCHAR(255) NULL,
  adresse VARCHAR(255) NULL,
  ville VARCHAR(255) NULL,
  pays VARCHAR(255) NOT NULL DEFAULT 'Gabon',
  type ENUM('Particulier','Entreprise') NOT NULL DEFAULT 'Entreprise',
  registre_commerce VARCHAR(255) NULL,
  ninea VARCHAR(255) NULL,
  contact_nom VARCHAR(255) NULL,
  notes TEXT NULL,
  statut VARCHAR(20) NOT NULL DEFAULT 'actif',
  credit_bloque TINYINT NOT NULL DEFAULT 0,
  commercial_id BIGINT UNSIGNED NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  updated_at TIMESTAMP NULL DEFAULT NULL,
  deleted_at TIMESTAMP NULL DEFAULT NULL,
  synced_at TIMESTAMP NULL DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY clients_code_unique (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE armateurs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  nom VARCHAR(255) NOT NULL,
  code VARCHAR(255) NULL,
  email VARCHAR(255) NULL,
  telephone VARCHAR(255) NULL,
  adresse VARCHAR(255) NULL,
  actif TINYINT(1) NOT NULL DEFAULT 1,
  escale_habituelle VARCHAR(100) NOT NULL DEFAULT 'Owendo',
  created_at TIMESTAMP NULL DEFAULT NULL,
  updated_at TIMESTAMP NULL DEFAULT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE ordres_travail (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  client_id BIGINT UNSIGNED NOT NULL,
  armateur_id BIGINT UNSIGNED NULL,
  PRIMARY KEY (id),
  CONSTRAINT ordres_travail_client_id_foreign FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE RESTRICT,
  CONSTRAINT ordres_travail_armateur_id_foreign FOREIGN KEY (armateur_id) REFERENCES armateurs (id)
    ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
"""
ADOPTED = ("clients", "armateurs")

MAPPING = """
# FAC's clients feed the operations application's clients table, under its column names;
# its updated_at is left to the application (Eloquent writes it on every save).
[clients]
adopt = true
columns = { nom = "nom", email = "email", telephone = "telephone", adresse = "adresse", ville = "ville", \
pays = "pays", type = "type", rccm = "registre_commerce", nif = "ninea", contact_principal = "contact_nom", \
notes = "notes", created_at = "created_at", deleted_at = "deleted_at" }
identity = ["nom", "nif", "email"]
synced_at = "synced_at"

# Its armateurs table has no deleted_at and no synced_at.
[armateurs]
adopt = true
columns = { nom = "nom", code = "code", email = "email", telephone = "telephone", adresse = "adresse", \
actif = "actif", created_at = "created_at", updated_at = "updated_at" }
identity = ["code", "nom"]
"""
PAIRS = {
    "clients": {
        "id": "id", "nom": "nom", "email": "email", "telephone": "telephone", "adresse": "adresse", "ville": "ville",
        "pays": "pays", "type": "type", "rccm": "registre_commerce", "nif": "ninea",
        "contact_principal": "contact_nom", "notes": "notes", "created_at": "created_at", "deleted_at": "deleted_at",
    },
    "armateurs": {
        "id": "id", "nom": "nom", "code": "code", "email": "email", "telephone": "telephone", "adresse": "adresse",
        "actif": "actif", "created_at": "created_at", "updated_at": "updated_at",
    },
}  # fmt: skip
OPS_ONLY_COLUMNS = {
    "clients": ("code", "statut", "credit_bloque", "commercial_id"),
    "armateurs": ("escale_habituelle",),
}


def root(database: str = "") -> MySQLdb.Connection:
    return MySQLdb.connect(db=database, charset="utf8mb4", autocommit=True, **backend.MYSQL)


def query(session: MySQLdb.Connection, sql: str, params=()) -> list[tuple]:
    with session.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def create_tables(session: MySQLdb.Connection) -> None:
    for statement in filter(None, (s.strip() for s in OPS_TABLES.split(";"))):
        query(session, statement)


def ids(session: MySQLdb.Connection, table: str) -> list[int]:
    return [row_id for (row_id,) in query(session, f"SELECT id FROM `{table}` ORDER BY id")]


def write_mapping(directory: Path) -> Path:
    path = directory / "mapping.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def show_create(session: MySQLdb.Connection, table: str) -> str:
    """The table's structure, without its AUTO_INCREMENT counter (data, not structure)."""
    text = query(session, f"SHOW CREATE TABLE `{table}`")[0][1]
    return " ".join(word for word in text.split() if not word.startswith("AUTO_INCREMENT="))


def copy_from_fac(session: MySQLdb.Connection, table: str, where: str = "1 = 1") -> None:
    """What the Laravel command did: FAC's rows copied into the OPS table, under OPS's column names."""
    ops, fac = ", ".join(f"`{c}`" for c in PAIRS[table].values()), ", ".join(f"`{c}`" for c in PAIRS[table])
    query(
        session,
        f"INSERT INTO `{table}` ({ops}) SELECT {fac} FROM `{backend.FAC_TEST_DATABASE}`.`{table}` WHERE {where}",
    )


def mismatches(session: MySQLdb.Connection, ops_database: str, table: str) -> list[int]:
    """Ids of FAC rows whose mapped OPS columns do not hold FAC's values, byte for byte; by SQL alone."""
    same = " AND ".join(
        f"BINARY CAST(f.`{fac}` AS CHAR) <=> BINARY CAST(o.`{ops}` AS CHAR)" for fac, ops in PAIRS[table].items()
    )
    sql = (
        f"SELECT f.id FROM `{backend.FAC_TEST_DATABASE}`.`{table}` f "
        f"LEFT JOIN `{ops_database}`.`{table}` o ON o.id = f.id WHERE o.id IS NULL OR NOT ({same}) ORDER BY f.id"
    )
    return [row_id for (row_id,) in query(session, sql)]


def checksum(session: MySQLdb.Connection, table: str, columns: tuple[str, ...], where: str = "1 = 1") -> str:
    """One text standing for these columns of these rows, to compare before and after."""
    listed = ", ".join(f"`{c}`" for c in ("id", *columns))
    rows = query(session, f"SELECT {listed} FROM `{table}` WHERE {where} ORDER BY id")
    return repr(rows)
