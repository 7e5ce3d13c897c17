"""The demo's FAC database, apart from opsync itself: it plays the billing application.

- `data`: realistic Gabonese reference rows, reproducible from a seed; `vocabulary`: what they are made of;
- `declared`: `navires`, a table opsync has no model of (declared in deploy/mapping.demo.toml);
- `builder`: the FAC database built, as SQLite or on a MySQL server.

May import: syncapp.common, syncapp.sql, syncapp.models, syncapp.config.
Imported by: the `build_demo_facturation` command and the tests; nothing of opsync's own.
"""
