"""What starts runs, and what runs on its own: a run's record, cron's jobs, the watcher, alerts, retention.

- `runs`: one sync run: the lock, the FAC check, each table in turn, and its record (`sync_run`);
- `cron`: the jobs django-crontab schedules;
- `watch`: `--watch`, a change in FAC reaches OPS within seconds;
- `alerts`: mail the ADMINS when something changes for the worse, or better;
- `retention`: old run records go.

May import: syncapp.common, syncapp.sql, syncapp.models, syncapp.config, syncapp.engine, syncapp.status.
Imported by: web (the dashboard's buttons start runs), the commands, cron (by name, in settings.CRONJOBS).
"""
