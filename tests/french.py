"""Reading French as a French speaker does: English words left in it, and counts that do not agree.

Shared by the tests that walk the command's output and the admin's pages.
"""

import re

# Words that say a sentence is English (none of them French).
ENGLISH = frozenset(
    """the and of is are was were with has have been not no rows row run runs failed success unreachable check holds
    lock synced since ago more than would every each refused stored changed inserted updated restored unchanged
    errors skipped started finished duration dry identical differ differs missing extra can view add start sync
    from this that your found allowed there which by to in on at for it its should could left alone reachable free
    level lag deleted live copy write nothing table's run's step warning fresh failing stale late""".split()  # noqa: SIM905 (a word list reads better as text)
)


# An SQL statement given to be copied (the CREATE INDEX for FAC's administrator): code, not prose.
SQL_STATEMENT = re.compile(r"\b(?:CREATE INDEX|ALTER TABLE)\b[^;]*;")


def english_words(text: str) -> list[str]:
    """The English words of a text, leaving out what is not prose."""
    found = []
    for token in SQL_STATEMENT.sub(" ", text).split():
        if any(mark in token for mark in ("_", "--", "#", "/", "@", "=", "://")) or any(c.isdigit() for c in token):
            continue
        word = token.strip("«»“”\"'()[]{}.,;:!?…|·—-")
        if word.isupper():  # a name in capitals: WARNING (a Monitoring Plugins level), SQL
            continue
        word = word.lower()
        if word in ENGLISH:
            found.append(word)
    return found


# Words that agree with a count: their singular (0 and 1 in French) and plural (2 and more) forms.
AGREEING = [
    "ligne",
    "insérée",
    "mise",
    "supprimée",
    "restaurée",
    "inchangée",
    "erreur",
    "propre",
    "identique",
    "différente",
    "table",
    "synchronisation",
    "référence",
    "essai",
    "jour",
    "minute",
    "tentative",
    "caractère",
    "exécution",
    "échec",
    "disparue",
    "refusée",
    "comparée",
    "modifiée",
    "laissée",
    "seconde",
    "surveillance",
    "collision",
]
SINGULAR, PLURAL = set(AGREEING), {word + "s" for word in AGREEING if not word.endswith("s")}
# A count, grouped with spaces, then the word after it; not an id (n° 12, #12), an hour or a date.
COUNT = re.compile(r"(?<![\d#°:.,/\-\u00a0])(?<!n°\u00a0)(\d{1,3}(?:[\u00a0\u202f ]\d{3})*)[\u00a0 ]([a-zéèêàâîôûç]+)")


def agreement_errors(text: str) -> list[str]:
    """`1 lignes`, `2 ligne`, `0 insérées`: a count whose word does not agree with it, as French has it
    (plural from 2 on)."""
    found = []
    for match in COUNT.finditer(text):
        count, word = int(re.sub(r"\D", "", match.group(1))), match.group(2)
        if (count < 2 and word in PLURAL) or (count >= 2 and word in SINGULAR and word + "s" in PLURAL):
            found.append(match.group(0))
    return found


# French typography: a non-breaking space before « ; », « : », « ? », « ! », and numbers said « n° 7 ».
# Left out: the perfdata after « | » on a Monitoring Plugins line, SQL statements, times (02:45).
PERFDATA = re.compile(r"(OPSYNC [A-Z]+ - .*?) \| [^\n]*")
TIGHT = re.compile(r"[^\s\u00a0\u202f\d][;:?!](?=[\s\u00a0]|$)", re.MULTILINE)
HASH_NUMBER = re.compile(r"(?<![&\w])#\d")
UNIT_APART = re.compile(r"\d (?:s|min|h|%)(?=[\s.,;:)]|$)", re.MULTILINE)  # « 0,2 s »: a figure and its unit, unbroken


def typography_errors(text: str) -> list[str]:
    """`clients: ok`, `a; b`, `#7`, `0,2 s`: what French typography does not write."""
    prose = SQL_STATEMENT.sub(" ", PERFDATA.sub(r"\1", text))
    found = [prose[max(match.start() - 20, 0) : match.end() + 1] for match in TIGHT.finditer(prose)]
    found += [prose[max(match.start() - 20, 0) : match.end() + 5] for match in HASH_NUMBER.finditer(prose)]
    found += [prose[max(match.start() - 20, 0) : match.end() + 1] for match in UNIT_APART.finditer(prose)]
    return found
