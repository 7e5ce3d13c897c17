"""The read side: where the sync stands, and what renders it for each reader. It writes nothing.

- `levels`: the Monitoring Plugins' levels, and when a table is stale;
- `states`: what the queries find, as data: a table's state, the watcher's, the latency of changes;
- `selectors`: the queries, and the whole status they make (`SyncStatus`): `--status`, `/healthz`;
- `problems`: what is wrong, decided once for every surface (the command, the dashboard, alerts);
- `run_text`: a run, its changes and refusals as lines, for a terminal, a cron mail, the admin;
- `status_text`: `--status` as lines, the Monitoring Plugins' way;
- `dashboard`: what the admin's dashboard shows.

May import: syncapp.common, syncapp.sql, syncapp.models, syncapp.config, syncapp.engine (the lock, read
only: a run is rendered from its record, never from the engine's working outcome).
Imported by: running, web, the commands.
"""
