"""The kinds of value Django has no field for, as the SQL reads and writes them.

A column's kind is a Django field (syncapp/config/fac_tables.py says which): these two add what
the canonical text (syncapp/sql/canonical.py, syncapp/sql/sums.py) needs to know.
"""

from django.db import models


class PreciseDateTimeField(models.DateTimeField):
    """A DATETIME or TIMESTAMP with fractions of a second, which the canonical text keeps."""

    def __init__(self, *args, fraction: int = 6, **kwargs):
        self.fraction = fraction
        super().__init__(*args, **kwargs)


class BitField(models.BinaryField):
    """BIT(n): bytes to Python, a number in the canonical text."""
