"""The read side: where the sync stands, and what renders it for each reader. It writes nothing.

- `selectors`: the queries: each table's state, the last runs, the watcher, `/healthz`'s answer;
- `problems`: what is wrong, decided once for every surface (the command, the dashboard, alerts);
- `run_text`: a run, its changes and refusals as lines, for a terminal, a cron mail, the admin;
- `status_text`: `--status` as lines, the Monitoring Plugins' way;
- `dashboard`: what the admin's dashboard shows.

May import: syncapp.common, syncapp.sql, syncapp.models, syncapp.config, syncapp.engine (the outcome's
shape and the lock, read only).
Imported by: running, web, the commands.
"""
