"""syncapp/engine/checksums.py: comparing ranges by their sums, and rows by their hashes."""

from syncapp.engine.checksums import ChunkComparison, differing_keys, hashes_compare


def test_differing_keys_are_those_whose_figures_differ_or_one_side_lacks():
    fac = {0: (3, 11), 1: (2, 5), 3: (1, 9)}
    ops = {0: (3, 11), 1: (2, 6), 2: (1, 4)}
    assert list(differing_keys(fac, ops)) == [1, 2, 3]
    assert list(differing_keys(fac, dict(fac))) == []


def test_compare_hashes_sorts_rows_into_equal_missing_differing_and_extra():
    fac = {1: 10, 2: 20, 3: 30, 5: 50}
    ops = {1: 10, 2: 21, 4: 40, 5: 50}
    chunk = hashes_compare(0, 1000, fac, ops)
    assert (chunk.equal, chunk.missing, chunk.differing, chunk.extra) == (2, [3], [2], [4])
    assert not chunk.ops_empty


def test_a_range_the_mirror_has_nothing_of():
    assert hashes_compare(0, 1000, {1: 10, 2: 20}, {}).ops_empty
    assert not ChunkComparison(0, 1000, equal=3).ops_empty
