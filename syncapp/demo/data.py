"""Demo data for a FAC database: realistic Gabonese reference rows, reproducible from a seed.

The rows are plain dicts keyed by FAC column name, with Python values (str, Decimal, bool,
aware UTC datetimes, None); `build_demo_facturation` turns them into what Django's SQLite
backend stores. The data is deliberately as untidy as real FAC data (see docs/architecture.md,
"How a run stays right"): rows with `updated_at` NULL, soft-deleted rows, empty strings, stray
spaces, accents, emoji, quotes, backslashes and a 5,000-character note, so that a sync run
against the demo meets them all.

Each table draws from its own `random.Random`, seeded from the seed and the table name, so
changing the number of clients leaves the other tables as they were.
"""

import random
import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from syncapp.demo import declared as demo_declared
from syncapp.demo.vocabulary import (
    ARMATEURS,
    COMMISSION_RATES,
    COMPANIES,
    COMPANY_PATTERNS,
    CREDIT_LIMITS,
    EMOJI_NOTE,
    FIRST_NAMES,
    FOREIGN_CITIES,
    GABON_CITIES,
    LAST_NAMES,
    LONG_NOTE_SENTENCE,
    OTHER_STREETS,
    SERVICES,
    SHORT_NOTES,
    STREETS,
    TRANSITAIRES,
    ZONES,
)

Row = dict[str, Any]  # a FAC row by column, with values as the database takes them

DEFAULT_SEED = 241
DEFAULT_CLIENTS = 60
MIN_CLIENTS = 5
HISTORY = timedelta(days=730)
SOFT_DELETED_SHARE = 0.05
NULL_UPDATED_SHARE = 0.05
LONG_NOTE_LENGTH = 5000


def dataset_build(
    seed: int = DEFAULT_SEED, clients: int = DEFAULT_CLIENTS, now: datetime | None = None
) -> dict[str, list[Row]]:
    """Every demo table's rows, keyed by FAC table name; same seed and `now` give the same rows."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    return {
        "clients": client_rows(table_rng(seed, "clients"), clients, now),
        "transitaires": transitaire_rows(table_rng(seed, "transitaires"), now),
        "armateurs": armateur_rows(table_rng(seed, "armateurs"), now),
        "representants": representant_rows(table_rng(seed, "representants"), now),
        "services": service_rows(table_rng(seed, "services"), now),
        demo_declared.TABLE: demo_declared.navire_rows(seed, now),  # a table opsync has no model of
    }


def table_rng(seed: int, table: str) -> random.Random:
    """One generator per table, so that tables do not shift each other's data."""
    return random.Random(f"{seed}:{table}")


def client_rows(rng: random.Random, count: int, now: datetime) -> list[Row]:
    """Companies and individuals, mostly Gabonese, with a few untidy values planted on purpose."""
    if count < MIN_CLIENTS:
        raise ValueError(f"at least {MIN_CLIENTS} clients are needed (got {count})")
    companies = round(count * 0.6)
    rows = [company_client(rng, company_name(rng, i)) for i in range(companies)]
    rows += [individual_client(rng, i) for i in range(count - companies)]
    rng.shuffle(rows)
    client_oddities_plant(rng, rows)
    return rows_stamp(rng, rows, now)


def company_name(rng: random.Random, index: int) -> str:
    if index < len(COMPANIES):
        return COMPANIES[index]
    return rng.choice(COMPANY_PATTERNS).format(name=rng.choice(LAST_NAMES))


def company_client(rng: random.Random, name: str) -> Row:
    pays, ville, court = client_place(rng)
    return {
        "nom": name,
        "email": f"contact@{slug(name)}.{'ga' if pays == 'Gabon' else 'com'}",
        "telephone": phone(rng, pays),
        "adresse": address(rng, ville),
        "ville": ville,
        "pays": pays,
        "type": "Entreprise",
        "rccm": rccm(rng, pays, court),
        "nif": nif(rng),
        "contact_principal": f"{rng.choice(('M.', 'Mme'))} {person_name(rng)}",
        "solde": balance(rng),
        "limite_credit": Decimal(rng.choice(CREDIT_LIMITS)).quantize(Decimal("0.01")),
        "notes": rng.choice(SHORT_NOTES) if rng.random() < 0.2 else None,
    }


def individual_client(rng: random.Random, index: int) -> Row:
    # The first two are named in the brief so that the demo always shows them.
    name = ("Aurélie Nzé", "Jean-Noël Mba Obame")[index] if index < 2 else person_name(rng)
    pays, ville, _court = client_place(rng)
    return {
        "nom": name,
        "email": f"{slug(name, '.')}@{rng.choice(('gmail.com', 'yahoo.fr', 'outlook.com'))}"
        if rng.random() < 0.7
        else None,
        "telephone": phone(rng, pays),
        "adresse": address(rng, ville) if rng.random() < 0.6 else None,
        "ville": ville,
        "pays": pays,
        "type": "Particulier",
        "rccm": None,
        "nif": nif(rng) if rng.random() < 0.2 else None,
        "contact_principal": None,
        "solde": (balance(rng) / 10).quantize(Decimal("0.01")),
        "limite_credit": Decimal("0.00"),
        "notes": None,
    }


def client_oddities_plant(rng: random.Random, rows: list[Row]) -> None:
    """The values a sync must copy verbatim: a 5,000-character note, emoji and escapes, empty strings."""
    long_note, emoji_note, empty = rng.sample(range(len(rows)), 3)
    rows[long_note]["notes"] = (LONG_NOTE_SENTENCE * (LONG_NOTE_LENGTH // len(LONG_NOTE_SENTENCE) + 1))[
        :LONG_NOTE_LENGTH
    ]
    rows[emoji_note]["notes"] = EMOJI_NOTE
    rows[empty]["email"] = ""
    rows[empty]["ville"] = ""


def client_place(rng: random.Random) -> tuple[str, str, str]:
    """(pays, ville, RCCM court code): Gabon for nine clients in ten."""
    if rng.random() < 0.9:
        ville, court, _weight = rng.choices(GABON_CITIES, weights=[c[2] for c in GABON_CITIES])[0]
        return "Gabon", ville, court
    pays = rng.choice(tuple(FOREIGN_CITIES))
    return pays, rng.choice(FOREIGN_CITIES[pays]), ""


def transitaire_rows(rng: random.Random, now: datetime) -> list[Row]:
    rows = [transitaire(rng, name) for name in TRANSITAIRES]
    rows[0]["adresse"] = "Zone portuaire d'Owendo, hangar 7 📦"
    return rows_stamp(rng, rows, now)


def transitaire(rng: random.Random, name: str) -> Row:
    ville, court = rng.choice((("Owendo", "LBV"), ("Libreville", "LBV"), ("Port-Gentil", "POG")))
    return {
        "nom": name,
        "email": f"operations@{slug(name)}.ga",
        "telephone": phone(rng, "Gabon"),
        "adresse": address(rng, ville),
        "contact_principal": person_name(rng),
        "nif": nif(rng),
        "rccm": rccm(rng, "Gabon", court),
        "actif": rng.random() < 0.85,
    }


def armateur_rows(rng: random.Random, now: datetime) -> list[Row]:
    rows = [
        {
            "nom": name,
            "code": code,
            "email": f"gabon@{domain}",
            "telephone": phone(rng, "Gabon"),
            "adresse": address(rng, "Libreville"),
            "actif": code is not None,
        }
        for name, code, domain in ARMATEURS
    ]
    rows[1]["adresse"] = "Immeuble Les Arcades, Libreville 🚢"
    # Delmas, the line without a code, is the one deleted: the big lines stay live in the demo.
    return rows_stamp(rng, rows, now, deleted=[len(rows) - 1])


def representant_rows(rng: random.Random, now: datetime) -> list[Row]:
    rows = []
    for zone in ZONES:
        prenom = rng.choice(FIRST_NAMES)
        nom = rng.choice(LAST_NAMES)
        rows.append(
            {
                "nom": nom,
                "prenom": prenom,
                "email": f"{slug(prenom + ' ' + nom, '.')}@opsync-demo.ga",
                "telephone": phone(rng, "Gabon"),
                "adresse": address(rng, "Libreville"),
                "zone": zone,
                "taux_commission": Decimal(rng.choice(COMMISSION_RATES)),
                "actif": rng.random() < 0.9,
            }
        )
    rows[0]["adresse"] = "Quartier Louis, Libreville 🌴"
    rows[-1]["taux_commission"] = None
    return rows_stamp(rng, rows, now)


def service_rows(rng: random.Random, now: datetime) -> list[Row]:
    rows = [
        {
            "code": code,
            "nom": nom,
            "description": description,
            "prix_unitaire": Decimal(price),
            "unite": unite,
            "categorie": categorie,
            "statut": statut,
        }
        for code, nom, price, unite, categorie, statut, description in SERVICES
    ]
    retired = [i for i, row in enumerate(rows) if row["statut"] == "inactif"]
    return rows_stamp(rng, rows, now, deleted=retired)


def rows_stamp(rng: random.Random, rows: list[Row], now: datetime, deleted: list[int] | None = None) -> list[Row]:
    """Give rows ids and Laravel timestamps over the last two years, ids in creation order.

    About one row in twenty is soft-deleted (Laravel sets `updated_at` with `deleted_at`) and
    one in twenty has `updated_at` NULL, as rows inserted by hand do; each table gets at least
    one of each, never on the same row.
    """
    count = len(rows)
    deleted = deleted if deleted is not None else rng.sample(range(count), share(count, SOFT_DELETED_SHARE))
    others = [i for i in range(count) if i not in deleted]
    hand_made = set(rng.sample(others, share(count, NULL_UPDATED_SHARE)))
    created = sorted(now - HISTORY + timedelta(seconds=rng.randrange(int(HISTORY.total_seconds()))) for _ in rows)
    for index, (row, created_at) in enumerate(zip(rows, created, strict=True)):
        row["id"] = index + 1
        row["created_at"] = created_at
        row["updated_at"] = later_than(rng, created_at, now)
        row["deleted_at"] = row["updated_at"] if index in deleted else None
        if index in hand_made:
            row["updated_at"] = None
            row["created_at"] = created_at if rng.random() < 0.5 else None
    return rows


def share(count: int, fraction: float) -> int:
    return max(1, round(count * fraction))


def later_than(rng: random.Random, start: datetime, now: datetime) -> datetime:
    """An update time: often the creation time itself (never edited), else any time up to now."""
    if rng.random() < 0.4:
        return start
    return start + timedelta(seconds=rng.randint(0, int((now - start).total_seconds())))


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def phone(rng: random.Random, pays: str) -> str:
    """Numbers as people write them: '+241 01 76 12 34' for Gabon, national formats elsewhere."""
    pairs = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(3))
    if pays == "Cameroun":
        return f"+237 6{rng.randint(50, 99)} {pairs}"
    if pays == "Congo":
        return f"+242 06 {rng.randint(100, 999)} {pairs[:5]}"
    return f"+241 0{rng.choice('1677')} {pairs}"


def address(rng: random.Random, ville: str) -> str:
    if rng.random() < 0.4:
        return f"BP {rng.randint(100, 20999)} {ville}"
    return f"{rng.choice(STREETS.get(ville, OTHER_STREETS))}, {ville}"


def rccm(rng: random.Random, pays: str, court: str) -> str:
    year = rng.randint(1995, 2023)
    if pays == "Cameroun":
        return f"RC/DLA/{year}/B/{rng.randint(100, 9999)}"
    if pays == "Congo":
        return f"CG-PNR-01-{year}-B12-{rng.randint(1, 999):05d}"
    return f"GA-{court or 'LBV'}-{year}-B-{rng.randint(10000, 99999)}"


def nif(rng: random.Random) -> str:
    return f"{rng.randint(2000, 2023)}{rng.randint(0, 99999):05d} {rng.choice('ABCDEFGHJKLMNPRST')}"


def balance(rng: random.Random) -> Decimal:
    """A balance in XAF: mostly round thousands, a few credits (negative) and odd amounts."""
    amount = Decimal(rng.randint(-40, 1000) * 5000)
    if rng.random() < 0.1:
        amount += Decimal(rng.randint(1, 99_999)) / 100
    return amount.quantize(Decimal("0.01"))


def slug(text: str, separator: str = "-") -> str:
    """ASCII, lower-case, for e-mail addresses: 'Aurélie Nzé' -> 'aurelie.nze'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_text.lower()).split()
    return separator.join(words)
