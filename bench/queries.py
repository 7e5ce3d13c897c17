"""The benchmark's SQL: the FAC rows it builds, and the statements it measures opsync against.

Kept apart from bench/run.py as opsync keeps its own in syncapp/sql/: every statement the
benchmark sends is built here, from the constants below and the declared mapping.
Databases and tables are the benchmark's own names, never input.
"""

from collections.abc import Mapping, Sequence

FAC_DB, OPS_DB, LIMIT_DB = "bench_fac", "bench_ops", "bench_limit"
LARAVEL_TABLE = "laravel_clients"

# -- FAC data ---------------------------------------------------------------------------

FIRST_NAMES = ["Jean-Baptiste", "Marie-Thérèse", "Éloïse", "Hervé", "Gaël", "Noël", "Sylvère", "Aimée", "Léonce",
               "Bénédicte", "Aurélien", "Clémence", "Désiré", "Françoise", "Germain", "Hélène", "Jérôme", "Loïc",
               "Zéphirin"]  # fmt: skip
LAST_NAMES = ["Mba", "Ondo", "Nguema", "Obiang", "Moussavou", "Mbadinga", "Nzé", "Ella", "Essono", "Mintsa", "Oyono",
              "Ndong", "Boussougou", "Mouélé", "Kombila", "Mabicka", "Ngoma", "Pambou", "Lendoye", "Ndjavé", "Ogoula",
              "Bivigou", "N'Dong"]  # fmt: skip
COMPANIES = ["Société", "Établissements", "Comptoir", "Groupe", "Transports", "Entreprise", "Cabinet"]
CITIES = ["Libreville", "Port-Gentil", "Franceville", "Oyem", "Moanda", "Mouila", "Lambaréné", "Tchibanga",
          "Koulamoutou", "Makokou", "Bitam", "Gamba", "Ntoum", "Owendo", "Akanda", "Mitzic", "Lébamba"]  # fmt: skip
STREETS = ["Quartier Louis", "Boulevard de l'Indépendance", "Avenue du Colonel Parant", "Rue d'Ambowè",
           "Carrefour Rio \\ Nkembo", "Zone industrielle d'Oloumi", "Glass, près de l'église Saint-Michel",
           "Nzeng-Ayong, rue 12", "Port-Môle", "Akébé-Plaine", "  Avenue de Cointet  "]  # fmt: skip
DOMAINS = ["gmail.com", "yahoo.fr", "libertis.ga", "airtelmail.ga", "gabon-telecom.ga", "outlook.fr"]
SHIPPING_LINES = ["Maersk Line", "MSC", "CMA CGM", "Hapag-Lloyd", "Grimaldi", "Sogafric", "Marfret", "Évergreen",
                  "Bolloré Africa Logistics", "ONE"]  # fmt: skip
PROVINCES = ["Estuaire", "Haut-Ogooué", "Moyen-Ogooué", "Ngounié", "Nyanga", "Ogooué-Ivindo", "Ogooué-Lolo",
             "Ogooué-Maritime", "Woleu-Ntem"]  # fmt: skip
CATEGORIES = ["Manutention", "Magasinage", "Transit", "Transport", "Douane", "Pesage", "Frais de dossier"]
UNITS = ["conteneur", "tonne", "m³", "jour", "forfait", "EVP", ""]
LONG_NOTE = "Client historique : conditions négociées, remise de 5 % sur la manutention au Port-Môle. "
YEAR = 365 * 24 * 3600

# Row-dependent expressions over `seq` (1…N): deterministic, spread like real data.
UPDATED_AT = f"IF(seq % 50 = 7, NULL, NOW() - INTERVAL (1 + seq * 7919 % {YEAR}) SECOND)"  # 2 % NULL
CREATED_AT = f"NOW() - INTERVAL ({YEAR} + seq * 104729 % {2 * YEAR}) SECOND"
DELETED_AT = f"IF(seq % 33 = 5, NOW() - INTERVAL (1 + seq * 7907 % {YEAR}) SECOND, NULL)"  # 3 % soft-deleted


def literal(text: str) -> str:
    """A SQL string literal (default sql_mode: backslashes escape)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def pick(words: Sequence[str], key: str = "seq") -> str:
    """SQL choosing one of `words` by a row-dependent key."""
    return f"ELT(1 + ({key}) % {len(words)}, {', '.join(literal(w) for w in words)})"


FIRST = pick(FIRST_NAMES)
LAST = pick(LAST_NAMES, "seq DIV 19")
CITY = pick(CITIES, "seq DIV 7")


def email(local: str) -> str:
    return (
        f"CASE WHEN seq % 29 = 0 THEN '' WHEN seq % 31 = 0 THEN NULL "
        f"ELSE CONCAT(LOWER({local}), '.', seq, '@', {pick(DOMAINS, 'seq DIV 3')}) END"
    )


PHONE = (
    "IF(seq % 37 = 0, '', CONCAT('+241 0', 1 + seq % 7, ' ', LPAD(seq * 7 % 100, 2, '0'), ' ', "
    "LPAD(seq * 13 % 100, 2, '0'), ' ', LPAD(seq * 31 % 100, 2, '0')))"
)
ADDRESS = f"IF(seq % 43 = 0, NULL, CONCAT('BP ', 100 + seq % 9000, ', ', {pick(STREETS, 'seq DIV 5')}))"
NIF = "CONCAT(LPAD(seq * 7919 % 1000000, 6, '0'), CHAR(65 + seq % 26))"
RCCM = "CONCAT('GA-LBV-', 2000 + seq % 24, '-B-', LPAD(seq, 7, '0'))"
COMPANY = f"CONCAT({pick(COMPANIES, 'seq DIV 3')}, ' ', {LAST}, IF(seq % 2 = 0, ' & Fils', ' SARL'))"
ACTIF = "IF(seq % 13 = 0, 0, 1)"
SPACE = "IF(seq % 211 = 0, ' ', '')"  # leading and trailing spaces, as typed by hand
CLIENT_NAME = (
    f"CONCAT({SPACE}, IF(seq % 3 = 0, {COMPANY}, CONCAT({LAST}, ' ', {FIRST})), IF(seq % 97 = 0, ' 🚢', ''), {SPACE})"
)
NOTES = (  # 12 % carry a 5,000-character note
    f"CASE WHEN seq % 25 < 3 THEN LEFT(REPEAT({literal(LONG_NOTE)}, 60), 5000) "
    "WHEN seq % 7 = 0 THEN 'Paie à 30 jours 👍 — voir le dossier « litiges »' "
    "WHEN seq % 11 = 0 THEN '' ELSE NULL END"
)
DESCRIPTION = (
    "CASE WHEN seq % 20 = 0 THEN LEFT(REPEAT('Tarif homologué par l''OPRAG ; TVA 18 %. ', 50), 2000) "
    "WHEN seq % 3 = 0 THEN NULL ELSE CONCAT('Prestation « ', seq, ' » 📦') END"
)
TIMESTAMPS = [("created_at", CREATED_AT), ("updated_at", UPDATED_AT), ("deleted_at", DELETED_AT)]

FAC_ROWS: dict[str, list[tuple[str, str]]] = {
    "clients": [
        ("id", "seq"),
        ("nom", CLIENT_NAME),
        ("email", email(LAST)),
        ("telephone", PHONE),
        ("adresse", ADDRESS),
        ("ville", f"IF(seq % 47 = 0, '', {CITY})"),
        ("pays", "IF(seq % 41 = 0, 'Cameroun', 'Gabon')"),
        ("type", "IF(seq % 3 = 0, 'Entreprise', 'Particulier')"),
        ("rccm", f"IF(seq % 3 = 0, {RCCM}, NULL)"),
        ("nif", NIF),
        ("contact_principal", f"CONCAT({FIRST}, ' ', {LAST})"),
        ("solde", "ROUND(seq * 7919 % 5000000 / 100 - 10000, 2)"),
        ("limite_credit", "seq % 50 * 100000"),
        ("notes", NOTES),
        *TIMESTAMPS,
    ],
    "transitaires": [
        ("id", "seq"),
        ("nom", f"CONCAT({COMPANY}, ' Transit', IF(seq % 97 = 0, ' ✈️', ''))"),
        ("email", email(LAST)),
        ("telephone", PHONE),
        ("adresse", ADDRESS),
        ("contact_principal", f"IF(seq % 23 = 0, '', CONCAT({FIRST}, ' ', {LAST}))"),
        ("nif", NIF),
        ("rccm", RCCM),
        ("actif", ACTIF),
        *TIMESTAMPS,
    ],
    "armateurs": [
        ("id", "seq"),
        ("nom", f"CONCAT({pick(SHIPPING_LINES)}, ' ', {CITY}, ' n°', seq, IF(seq % 97 = 0, ' 🚢', ''))"),
        ("code", "IF(seq % 53 = 0, NULL, CONCAT('ARM', LPAD(seq, 7, '0')))"),
        ("email", email(pick(SHIPPING_LINES))),
        ("telephone", PHONE),
        ("adresse", ADDRESS),
        ("actif", ACTIF),
        *TIMESTAMPS,
    ],
    "representants": [
        ("id", "seq"),
        ("nom", LAST),
        ("prenom", f"CASE WHEN seq % 59 = 0 THEN NULL WHEN seq % 61 = 0 THEN '' ELSE {FIRST} END"),
        ("email", email(LAST)),
        ("telephone", PHONE),
        ("adresse", ADDRESS),
        ("zone", pick(PROVINCES, "seq DIV 11")),
        ("taux_commission", "IF(seq % 17 = 0, NULL, ROUND(seq % 1500 / 100, 2))"),
        ("actif", ACTIF),
        *TIMESTAMPS,
    ],
    "services": [
        ("id", "seq"),
        ("code", "CONCAT('SRV', LPAD(seq, 7, '0'))"),
        ("nom", f"CONCAT({pick(CATEGORIES)}, ' — ', {pick(UNITS, 'seq DIV 7')}, ' n°', seq)"),
        ("description", DESCRIPTION),
        ("prix_unitaire", "ROUND(seq * 7919 % 100000000 / 100, 2)"),
        ("unite", pick(UNITS, "seq DIV 7")),
        ("categorie", pick(CATEGORIES)),
        ("statut", "IF(seq % 19 = 0, 'inactif', 'actif')"),
        *TIMESTAMPS,
    ],
}
# A sixth table opsync has no built-in knowledge of, declared in the mapping file (bench/run.py
# writes it): its kinds come from FAC's information_schema, its mirror from `migrate`.
DECLARED_TABLE = "navires"
DECLARED_MAPPING = f"[{DECLARED_TABLE}]\n"
DECLARED_DDL = f"""CREATE TABLE `{FAC_DB}`.`{DECLARED_TABLE}` (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  nom VARCHAR(255) NOT NULL,
  imo CHAR(7) NULL,
  pavillon ENUM('GA','FR','LR','PA','MT') NULL,
  jauge DECIMAL(12,2) NULL,
  vitesse FLOAT NULL,
  mise_en_service DATE NULL,
  escales SMALLINT UNSIGNED NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  updated_at TIMESTAMP NULL DEFAULT NULL,
  deleted_at TIMESTAMP NULL DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"""
FAC_ROWS[DECLARED_TABLE] = [
    ("id", "seq"),
    ("nom", f"CONCAT({pick(SHIPPING_LINES)}, ' ', {CITY}, ' ', seq, IF(seq % 97 = 0, ' 🚢', ''))"),
    ("imo", "IF(seq % 31 = 0, NULL, LPAD(9000000 + seq % 999999, 7, '0'))"),
    ("pavillon", "ELT(1 + seq % 5, 'GA', 'FR', 'LR', 'PA', 'MT')"),
    ("jauge", "ROUND(seq * 7919 % 6000000 / 100, 2)"),
    ("vitesse", "IF(seq % 23 = 0, NULL, seq % 250 / 10)"),
    ("mise_en_service", "IF(seq % 41 = 0, NULL, DATE('1990-01-01') + INTERVAL seq % 12000 DAY)"),
    ("escales", "seq % 65000"),
    *TIMESTAMPS,
]
CHANGED_COLUMN = "nom"  # what the 1 % change edits, in every table


# -- Statements ------------------------------------------------------------------------


def names(columns: Sequence[str]) -> str:
    return ", ".join(f"`{c}`" for c in columns)


def fill(table: str, rows: int) -> str:
    """N rows of a FAC table, set-based, from MariaDB's SEQUENCE engine (no parameters: `%` is modulo)."""
    columns = FAC_ROWS[table]
    values = ",\n  ".join(expression for _, expression in columns)
    target = f"`{FAC_DB}`.`{table}` ({names([name for name, _ in columns])})"
    return f"INSERT INTO {target}\nSELECT {values}\nFROM `{FAC_DB}`.seq_1_to_{int(rows)}"


def change_one_percent(table: str) -> str:
    """As the billing application would: 1 % of a table edited, updated_at = NOW() (no parameters)."""
    column = CHANGED_COLUMN
    return (
        f"UPDATE `{FAC_DB}`.`{table}` SET `{column}` = CONCAT(`{column}`, ' (modifié)'), "
        "updated_at = NOW() WHERE id % 100 = 42"
    )


def copy_at_the_limit(table: str, columns: Sequence[str]) -> str:
    """The server copying a FAC table into its OPS-shaped twin, updating rows already there."""
    updates = ", ".join(f"`{c}` = VALUES(`{c}`)" for c in (*columns[1:], "synced_at"))
    return (
        f"INSERT INTO `{LIMIT_DB}`.`{table}` ({names(columns)}, `synced_at`) "
        f"SELECT {names(columns)}, NOW() FROM `{FAC_DB}`.`{table}` ON DUPLICATE KEY UPDATE {updates}"
    )


def laravel_sample(columns: Sequence[str], sample: int) -> str:
    return f"SELECT {names(columns)} FROM `{FAC_DB}`.clients ORDER BY id LIMIT {int(sample)}"


def laravel_exists() -> str:
    return f"SELECT id FROM `{LIMIT_DB}`.{LARAVEL_TABLE} WHERE id = %s"


def laravel_insert(columns: Sequence[str]) -> str:
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO `{LIMIT_DB}`.{LARAVEL_TABLE} ({names(columns)}, synced_at) VALUES ({marks}, NOW())"


def laravel_update(columns: Sequence[str]) -> str:
    assignments = ", ".join(f"`{c}` = %s" for c in columns[1:])
    return f"UPDATE `{LIMIT_DB}`.{LARAVEL_TABLE} SET {assignments}, synced_at = NOW() WHERE id = %s"


def highest_id(database: str, table: str) -> str:
    return f"SELECT MAX(id) FROM `{database}`.`{table}`"


def row_count(database: str, table: str) -> str:
    return f"SELECT COUNT(*) FROM `{database}`.`{table}`"


def rows_and_highest_id(database: str, table: str) -> str:
    return f"SELECT COUNT(*), MAX(id) FROM `{database}`.`{table}`"


def last_run_written() -> str:
    """What OPS's last recorded run wrote (syncapp/models/runs.py, ChangeCounts): id, rows, status."""
    return (
        f"SELECT id, inserted + updated + deleted + restored, status FROM `{OPS_DB}`.syncapp_syncrun "
        "ORDER BY id DESC LIMIT 1"
    )


# -- An adopted OPS (the operations application's own tables) ---------------------------

ADOPT_DB = "bench_adopt"
# Columns the operations application names its own way, and FAC's that OPS has no use for.
RENAMED = {"clients": {"rccm": "registre_commerce", "nif": "ninea", "contact_principal": "contact_nom"}}
NOT_MIRRORED = {"clients": ("solde", "limite_credit")}
STALE = "id % 100 = 17"  # 1 % of the rows, spread over every range of ids


def adopted_table(table: str) -> list[str]:
    """The operations application's table: FAC's columns under its names, and columns of its own."""
    changes = [f"CHANGE `{fac}` `{ops}` VARCHAR(255) NULL" for fac, ops in RENAMED.get(table, {}).items()]
    changes += [f"DROP COLUMN `{column}`" for column in NOT_MIRRORED.get(table, ())]
    changes += ["ADD COLUMN `statut_ops` VARCHAR(20) NOT NULL DEFAULT 'actif'", "ADD COLUMN `synced_at` TIMESTAMP NULL"]
    return [
        f"CREATE TABLE `{ADOPT_DB}`.`{table}` LIKE `{FAC_DB}`.`{table}`",
        f"ALTER TABLE `{ADOPT_DB}`.`{table}` {', '.join(changes)}",
    ]


def ops_column(table: str, column: str) -> str:
    return RENAMED.get(table, {}).get(column, column)


def laravel_copy(table: str, columns: Sequence[str]) -> str:
    """What the Laravel command left: every FAC row copied under OPS's column names."""
    ops = names([ops_column(table, column) for column in columns])
    return f"INSERT INTO `{ADOPT_DB}`.`{table}` ({ops}) SELECT {names(columns)} FROM `{FAC_DB}`.`{table}`"


STALE_COLUMN = {"services": "description"}  # a column the identity (`nom`) does not read; else adresse


def make_stale(table: str) -> str:
    """1 % of the copies out of date in a column of FAC's: still recognised as FAC's by their name."""
    column = STALE_COLUMN.get(table, "adresse")
    return f"UPDATE `{ADOPT_DB}`.`{table}` SET `{column}` = CONCAT(COALESCE(`{column}`, ''), ' (périmé)') WHERE {STALE}"


def ops_only_clients(first_id: int, count: int) -> str:
    """Clients of OPS's own, with ids FAC does not have."""
    return (
        f"INSERT INTO `{ADOPT_DB}`.clients (id, nom) SELECT {int(first_id)} + seq, 'Client du guichet' "
        f"FROM `{FAC_DB}`.seq_1_to_{int(count)}"
    )


def mapping_file(tables: Mapping[str, Sequence[str]]) -> str:
    """The mapping file that adopts every table: each FAC column into its OPS column."""
    sections = []
    for table, columns in tables.items():
        pairs = ", ".join(f'{column} = "{ops_column(table, column)}"' for column in columns if column != "id")
        sections.append(
            f'[{table}]\nadopt = true\ncolumns = {{ {pairs} }}\nidentity = ["nom"]\nsynced_at = "synced_at"\n'
        )
    return "\n".join(sections)


# -- The watcher (sync_from_facturation --watch): single-row changes, and what to watch for -------


def watch_insert() -> str:
    """A client created in the billing application; its name is the parameter."""
    return f"INSERT INTO `{FAC_DB}`.clients (nom, created_at, updated_at) VALUES (%s, NOW(), NOW())"


def watch_update(table: str) -> str:
    return f"UPDATE `{FAC_DB}`.`{table}` SET nom = %s, updated_at = NOW() WHERE id = %s"


def watch_soft_delete(table: str) -> str:
    return f"UPDATE `{FAC_DB}`.`{table}` SET deleted_at = NOW(), updated_at = NOW() WHERE id = %s"


def live_row(table: str) -> str:
    """A live row at or after a given id (the parameter), for a change to make."""
    return f"SELECT id FROM `{FAC_DB}`.`{table}` WHERE id >= %s AND deleted_at IS NULL ORDER BY id LIMIT 1"


def ops_row(table: str) -> str:
    """What the watcher is waited for: the row's name and deletion in OPS."""
    return f"SELECT nom, deleted_at IS NOT NULL FROM `{OPS_DB}`.`{table}` WHERE id = %s"


def last_run_id() -> str:
    return f"SELECT COALESCE(MAX(id), 0) FROM `{OPS_DB}`.syncapp_syncrun"


def finished_watch_runs(after: int) -> str:
    """(tables, seconds) of the watcher's runs recorded after a run id (no parameters)."""
    return (
        "SELECT JSON_LENGTH(tables), TIMESTAMPDIFF(MICROSECOND, started_at, finished_at) / 1e6 "
        f"FROM `{OPS_DB}`.syncapp_syncrun WHERE `trigger` = 'watch' AND finished_at IS NOT NULL AND id > {int(after)}"
    )


def dirty_pages() -> str:
    """Pages InnoDB has yet to write back (no parameters)."""
    return "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'"


def open_transactions() -> str:
    """InnoDB transactions open now in a user's sessions (the parameter)."""
    return (
        "SELECT COUNT(*) FROM information_schema.innodb_trx t JOIN information_schema.processlist p "
        "ON p.id = t.trx_mysql_thread_id WHERE p.user = %s"
    )


def watch_scan_seconds(after: int) -> str:
    """FAC's scan time in the watcher's runs after a run id (no parameters), added up."""
    results, runs = f"`{OPS_DB}`.syncapp_synctableresult", f"`{OPS_DB}`.syncapp_syncrun"
    return (
        f"SELECT COALESCE(SUM(r.fac_scan_seconds), 0), COUNT(DISTINCT r.run_id) FROM {results} r "
        f"JOIN {runs} s ON s.id = r.run_id WHERE s.`trigger` = 'watch' AND s.id > {int(after)}"
    )


def cursor_index(table: str, create: bool) -> str:
    """The index FAC's administrator may add on a table's updated_at (or its removal)."""
    name = f"`{table}_updated_at_index`"
    if create:
        return f"CREATE INDEX {name} ON `{FAC_DB}`.`{table}` (updated_at)"
    return f"DROP INDEX IF EXISTS {name} ON `{FAC_DB}`.`{table}`"


# -- Faults (bench/faults.py): the billing application's other changes, and what is looked at after ---


def restore_one(table: str) -> str:
    """A soft-deleted row brought back (no parameters)."""
    return (
        f"UPDATE `{FAC_DB}`.`{table}` SET deleted_at = NULL, updated_at = NOW() "
        "WHERE deleted_at IS NOT NULL ORDER BY id LIMIT 1"
    )


def hard_delete(table: str) -> str:
    return f"DELETE FROM `{FAC_DB}`.`{table}` WHERE id = %s"


def random_ids(table: str, count: int, live: bool = False) -> str:
    """Ids of `count` rows of a FAC table taken at random (no parameters)."""
    where = "WHERE deleted_at IS NULL " if live else ""
    return f"SELECT id FROM `{FAC_DB}`.`{table}` {where}ORDER BY RAND() LIMIT {int(count)}"


def marks(count: int) -> str:
    return ", ".join(["%s"] * count)


def soft_delete_ids(table: str, count: int) -> str:
    """Rows soft-deleted at once, in one statement (their ids are the parameters)."""
    return f"UPDATE `{FAC_DB}`.`{table}` SET deleted_at = NOW(), updated_at = NOW() WHERE id IN ({marks(count)})"


def deleted_among(table: str, count: int) -> str:
    """How many of these rows (their ids are the parameters) OPS holds deleted."""
    return f"SELECT COUNT(*) FROM `{OPS_DB}`.`{table}` WHERE deleted_at IS NOT NULL AND id IN ({marks(count)})"


def rows_locked(table: str, count: int) -> str:
    """The operations application holding these mirror rows (their ids are the parameters)."""
    return f"SELECT id FROM `{OPS_DB}`.`{table}` WHERE id IN ({marks(count)}) FOR UPDATE"


def table_columns() -> str:
    """A table's columns in order (database and table are the parameters)."""
    return (
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
        "ORDER BY ordinal_position"
    )


def every_row(database: str, table: str, columns: Sequence[str]) -> str:
    """Every row of a table: its id, then these columns (no parameters)."""
    return f"SELECT id, {names(columns)} FROM `{database}`.`{table}`"


def runs_left() -> str:
    """Runs recorded as running or queued in OPS (no parameters)."""
    return f"SELECT id, status FROM `{OPS_DB}`.syncapp_syncrun WHERE status IN ('running', 'queued')"


def mass_delete_refusals() -> str:
    """Tables that refused a mass delete in runs after a run id (the parameter)."""
    return (
        f"SELECT COUNT(*) FROM `{OPS_DB}`.syncapp_synctableresult "
        """WHERE run_id > %s AND problem LIKE '%%"mass_delete"%%'"""
    )
