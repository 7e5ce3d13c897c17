"""The sync engine: one FAC table into its OPS mirror, in parts with one job each.

- `outcome`: what a run asks (SyncOptions, RunContext) and what a table's sync did (TableOutcome);
- `plan`: what to read, copy or mark, incremental or full;
- `source`: reading FAC;
- `mirror`: comparing with the mirror and writing what differs (owns the counts);
- `bulk`: the first copy of a range by LOAD DATA;
- `cursor`: the cursor policy;
- `table`: one table from start to end, in its transaction (`sync_table`).
"""
