"""The web: the admin site and its pages, `/healthz`, the login's lock-out. Pages read; buttons queue runs.

- `admin_site`: opsync's admin site, with the dashboard and its buttons;
- `admin_runs`: the run history; `admin_mirror`: the mirrored tables and the row records;
- `admin_auth`: users and groups; `admin_base`: what every opsync admin shares (it never edits);
- `views`: `/`, `/healthz` and `/healthz/sync`, the favicon;
- `logins`: failed logins logged, the lock-out page.

May import: every folder below: syncapp.common, sql, models, config, engine, status, running.
Imported by: Django only (opsync/urls.py, settings, syncapp/apps.py).
"""
