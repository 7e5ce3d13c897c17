"""Every SQL statement opsync sends, as named queries: the only place that builds SQL text.

The rules, so that nothing from a row, a mapping file or a setting can change a statement's
meaning: table and column names reach SQL only through `names.identifier`, which escapes
whatever they hold; values only as parameters (`%s`). Every query is run with a parameter
list, even an empty one, so a literal `%` is always written `%%`.

- `names`: quoting a table's or a column's name, and the rule names from outside must follow;
- `execute`: running queries: all rows, a stream of batches, two servers at once;
- `rows`: reading and writing rows of a table by id or by range;
- `sums`: per-range aggregates and row hashes, the comparisons that read no rows;
- `load`: the first copy of a range by LOAD DATA LOCAL INFILE;
- `server`: the server's clock, a table's columns, the named lock;
- `hints`: the watcher's cheap per-table hints (last commit time, highest id);
- `ddl`: the declared tables' mirrors, created and widened;
- `renumber`: moving an OPS-only row and its references to a free id;
- `side`: one side of a mapping as the SQL sees it; `fields`: the kinds of value Django has no field for;
- `canonical`: a row's canonical text and hash in Python, as `sums` computes them in SQL.

Everything here takes Django connections and works on raw tuples: the sync compares and
writes hundreds of thousands of rows, and model instances would dominate its cost.

May import: syncapp.common.
Imported by: the folders above it that speak to a database: config, adopted, engine, status, running, the demo.
"""
