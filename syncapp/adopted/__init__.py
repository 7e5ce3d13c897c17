"""The OPS tables opsync adopted (SYNC_MAPPING_FILE), as read-only models for the admin.

They belong to the operations application: unmanaged, and in an app without migrations, so
that nothing opsync runs can create, alter or drop them, and no migration ever names them.

May import: syncapp.common, syncapp.sql, syncapp.models, syncapp.config.
Imported by: web (the admin of the adopted and declared tables).
"""
