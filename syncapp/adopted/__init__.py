"""The OPS tables opsync adopted (SYNC_MAPPING_FILE), as read-only models for the admin.

They belong to the operations application: unmanaged, and in an app without migrations, so
that nothing opsync runs can create, alter or drop them, and no migration ever names them.
"""
