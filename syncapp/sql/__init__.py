"""Every SQL statement opsync sends, as named queries: the only place that builds SQL text.

The rules, so that nothing from a row, a mapping file or a setting can change a statement's
meaning: table and column names reach SQL only through the connection's `quote_name`;
values only as parameters (`%s`). Every query is run with a parameter list, even an empty
one, so a literal `%` is always written `%%`.

- `execute`: running queries: all rows, a stream of batches, two servers at once;
- `rows`: reading and writing rows of a table by id or by range;
- `sums`: per-range aggregates and row hashes, the comparisons that read no rows;
- `load`: the first copy of a range by LOAD DATA LOCAL INFILE;
- `server`: the server's clock, a table's columns, the named lock;
- `hints`: the watcher's cheap per-table hints (last commit time, highest id).

Everything here takes Django connections and works on raw tuples: the sync compares and
writes hundreds of thousands of rows, and model instances would dominate its cost.
"""
