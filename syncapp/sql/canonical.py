"""A row as one canonical text, and its 64-bit hash: how two servers agree that rows are equal.

Each mirrored value is written as MySQL writes it, prefixed with its length in characters
and a colon (`5:Olam ` for "Olam ", `0:` for ""), and NULL as `-`; the items follow each
other without a separator. Length prefixes make the text unambiguous: no value, whatever
characters it holds, can be read as the end of one column and the start of the next (a
separator alone could be inside a value: 'AB\\x1fCD' + 'x' and 'AB' + 'CD\\x1fx' would read
the same). MySQL computes the same text and hash in SQL (`syncapp.sql.sums`); this is the
Python side, for SQLite, and the definition both must match (a test holds them to it).

The hash is the first 64 bits of MD5, not CRC32: CRC is linear, so the XOR of the CRCs of
two rows that swap a value (two codes, say) would not change.
"""

import hashlib
from collections.abc import Sequence

from django.db import models

from syncapp.sql.fields import BitField, PreciseDateTimeField

NULL = "-"  # a NULL item: no length prefix starts with it
SECONDS = "%Y-%m-%d %H:%M:%S"


def value_text(field: models.Field, value) -> str:
    """One non-NULL value as MySQL writes it in the canonical text (syncapp.sql.sums, kind by kind)."""
    if isinstance(field, PreciseDateTimeField):
        return value.strftime(f"{SECONDS}.%f")
    if isinstance(field, models.DateTimeField):
        return value.strftime(SECONDS)
    if isinstance(field, models.DecimalField) and field.decimal_places is not None:
        return f"{value:.{field.decimal_places}f}"
    if isinstance(field, models.BooleanField):
        return str(int(value))
    if isinstance(field, BitField):
        return str(int.from_bytes(value, "big") if isinstance(value, bytes) else int(value))
    if isinstance(field, models.BinaryField):
        return bytes(value).hex().upper()
    return str(value)


def item(text: str | None) -> str:
    """One value of the canonical text: its length, a colon and itself; `-` for NULL."""
    return NULL if text is None else f"{len(text)}:{text}"


def canonical_text(fields: Sequence[models.Field], row: Sequence) -> str:
    return "".join(item(None if value is None else value_text(f, value)) for f, value in zip(fields, row, strict=True))


def hash64(text: str) -> int:
    """The first 64 bits of the MD5 of the UTF-8 text, as an unsigned integer."""
    return int.from_bytes(hashlib.md5(text.encode(), usedforsecurity=False).digest()[:8], "big")


def row_hash(fields: Sequence[models.Field], row: Sequence) -> int:
    return hash64(canonical_text(fields, row))
