"""A row as one canonical text, and its 64-bit hash: how two servers agree that rows are equal.

As Percona's pt-table-checksum does, the mirrored values of a row are joined by a separator,
followed by a NULL marker per column (CONCAT_WS skips NULLs; the markers tell `NULL` from
`''`), and hashed. MySQL computes the same text and hash in SQL (`syncapp.sql.sums`); this
is the Python side, for SQLite, and the definition both must match (a test holds them to it).

The hash is the first 64 bits of MD5, not CRC32: CRC is linear, so the XOR of the CRCs of
two rows that swap a value (two codes, say) would not change.
"""

import hashlib
from collections.abc import Sequence

from django.db import models

SEPARATOR = "\x1f"  # CHAR(31), the ASCII unit separator


def value_text(field: models.Field, value) -> str:
    """One non-NULL value as MySQL writes it in the canonical text."""
    if isinstance(field, models.DateTimeField):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(field, models.DecimalField):
        return f"{value:.{field.decimal_places}f}"
    if isinstance(field, models.BooleanField):
        return str(int(value))
    return str(value)


def canonical_text(fields: Sequence[models.Field], row: Sequence) -> str:
    texts = [value_text(f, value) for f, value in zip(fields, row, strict=True) if value is not None]
    nulls = "".join("1" if value is None else "0" for value in row)
    return SEPARATOR.join([*texts, nulls])


def hash64(text: str) -> int:
    """The first 64 bits of the MD5 of the UTF-8 text, as an unsigned integer."""
    return int.from_bytes(hashlib.md5(text.encode(), usedforsecurity=False).digest()[:8], "big")


def row_hash(fields: Sequence[models.Field], row: Sequence) -> int:
    return hash64(canonical_text(fields, row))
