"""The write side: everything that writes OPS, one FAC table into its mirror, in parts with one job each.

- `table`: one table from start to end, in its transaction (`table_sync`);
- `outcome`: what a run asks (SyncOptions, RunContext) and what a table's sync did (TableOutcome);
- `plan`: what to read, copy or mark: incremental, full or targeted (the watcher's);
- `checksums`: the full comparison, range checksums on both servers, then the rows that differ;
- `source`: reading FAC; `mirror`: comparing with the mirror and writing what differs;
- `ownership`: whose row is this, FAC's or the operations application's (adopted tables);
- `bulk`: the first copy of a range by LOAD DATA; `cursor` and `state`: where a table's sync stands;
- `verify`: `--verify`, the whole table compared, nothing written;
- `schema`: do the live tables still fit the mapping; `mirror_tables`: the declared tables' mirrors, made
  and brought in line by `migrate`;
- `renumber`: `--renumber-ops-only`; `lock`: one sync at a time.

The engine prints nothing: progress and stop requests are passed in, results returned.

May import: syncapp.common, syncapp.sql, syncapp.models, syncapp.config.
Imported by: the read side (status: the outcome's shape, the lock), running, web, the commands.
"""
