"""Configuration: which tables are mirrored and how, and the two databases as opsync uses them.

- `mapping`: every mirrored table as one `TableMapping` (the five built in, the file's others);
- `mapping_file`: the operator's SYNC_MAPPING_FILE, read and refused in one line;
- `owned_tables`: the OPS tables opsync created itself, the only ones it feeds without `adopt`;
- `fac_tables`: a FAC table as FAC's schema describes it (key, columns, kinds, indexes);
- `databases`: what the databases' errors mean, and the checks that FAC and OPS answer;
- `routers`: Django's router: FAC read-only, unmanaged models never migrated.

The settings themselves are in `opsync/settings.py` and `opsync/env.py`.

May import: syncapp.common, syncapp.sql, syncapp.models.
Imported by: the write side (engine), the read side (status), running, web, the commands, the demo.
"""
