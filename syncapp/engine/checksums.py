"""Comparing a FAC table with its mirror without copying it: checksums per range of ids.

Each server folds the hashes of a range's rows (syncapp.sql.canonical) with XOR, next to the
row count; only ranges whose (count, xor) differ are compared row by row, by their rows'
hashes. Full runs (--force, the first run) and --verify both start here.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial

from syncapp.config.mapping import TableMapping
from syncapp.sql import rows, sums
from syncapp.sql.execute import Pair, in_parallel

CHUNK = 1000  # ids per range


@dataclass
class ChunkComparison:
    low: int
    high: int
    equal: int = 0  # rows known identical on both sides
    missing: list[int] = field(default_factory=list)  # in FAC, not in OPS
    differing: list[int] = field(default_factory=list)  # in both, different
    extra: list[int] = field(default_factory=list)  # in OPS, gone from FAC

    @property
    def ops_empty(self) -> bool:
        return not self.equal and not self.differing and not self.extra


def differing_keys(fac: dict, ops: dict) -> Iterator[int]:
    """The range keys, in order, whose figures differ between the two sides (or that one lacks)."""
    return (key for key in sorted(fac.keys() | ops.keys()) if fac.get(key) != ops.get(key))


def hashes_compare(low: int, high: int, fac: dict[int, int], ops: dict[int, int]) -> ChunkComparison:
    """One range, from each side's row hashes keyed by id."""
    return ChunkComparison(
        low,
        high,
        equal=sum(1 for row_id, hashed in fac.items() if ops.get(row_id) == hashed),
        missing=sorted(fac.keys() - ops.keys()),
        differing=sorted(i for i in fac.keys() & ops.keys() if fac[i] != ops[i]),
        extra=sorted(ops.keys() - fac.keys()),
    )


class TableComparison:
    """Both sides' range checksums, computed at once by the two servers, then compared range by range.

    The OPS side leaves out the rows set aside: those known to have vanished from FAC (kept,
    marked deleted) and, in an adopted table, the operations application's own rows.
    """

    def __init__(self, mapping: TableMapping):
        self.mapping = mapping
        self.fac, self.ops = mapping.fac, mapping.ops_compared
        (self.fac_sums, self.fac_newest), (self.ops_sums, _) = in_parallel(
            lambda: sums.chunk_checksums(self.fac, mapping.fields, chunk=CHUNK, newest=True),
            lambda: sums.chunk_checksums(self.ops, mapping.fields, chunk=CHUNK),
        )

    @property
    def fac_rows(self) -> int:
        return sum(count for count, _ in self.fac_sums.values())

    def chunks(self) -> Iterator[ChunkComparison]:
        """Every id range of either side, in order; ranges whose sums agree are not read row by row.

        Where they differ, both servers hash the range's rows at once.
        """
        fields = self.mapping.fields
        with Pair() as pair:
            for key in sorted(self.fac_sums.keys() | self.ops_sums.keys()):
                low, high = key * CHUNK, (key + 1) * CHUNK
                if self.fac_sums.get(key) == self.ops_sums.get(key):
                    yield ChunkComparison(low, high, equal=self.fac_sums[key][0])
                elif key not in self.ops_sums:  # nothing of this range in OPS yet: ids are enough
                    yield ChunkComparison(low, high, missing=sorted(rows.ids_between(self.fac, low, high)))
                else:
                    fac_hashes, ops_hashes = pair.run(
                        partial(sums.row_hashes, self.fac, fields, low, high),
                        partial(sums.row_hashes, self.ops, fields, low, high),
                    )
                    yield hashes_compare(low, high, fac_hashes, ops_hashes)
