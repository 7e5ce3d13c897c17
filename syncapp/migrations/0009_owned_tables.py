"""The record of the OPS tables opsync created itself, and the hand-over of those it made before.

Until now, any OPS table named by the mapping file was created, altered and fed, even the
operations application's own (`users`). From here on, without `adopt`, only the tables recorded
in OwnedTable are. The mirrors an earlier opsync made for declared tables are found by what
every one of them has and an application's table has not: a `synced_at` column and the index
that opsync named `<table>_<deleted_at>_idx`. They are recorded, so that an upgrade copies
nothing again.
"""

from django.db import migrations, models

# Django's and opsync's own tables, and the five mirrors that opsync's migrations make.
NOT_DECLARED = ("auth_", "django_", "syncapp_", "axes_", "adopted_")
BUILT_IN = ("clients", "transitaires", "armateurs", "representants", "services")


def made_by_opsync(connection, cursor, table: str) -> bool:
    columns = {column.name for column in connection.introspection.get_table_description(cursor, table)}
    if "synced_at" not in columns or "id" not in columns:
        return False
    indexes = connection.introspection.get_constraints(cursor, table)
    return any(
        found["index"] and len(found["columns"]) == 1 and name == f"{table[:40]}_{found['columns'][0][:20]}_idx"
        for name, found in indexes.items()
    )


def owned_tables_found(apps, schema_editor):
    connection = schema_editor.connection
    owned = apps.get_model("syncapp", "OwnedTable")
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            if table.lower().startswith(NOT_DECLARED) or table in BUILT_IN:
                continue
            if made_by_opsync(connection, cursor, table):
                owned.objects.get_or_create(ops_table=table)


class Migration(migrations.Migration):
    dependencies = [
        ("syncapp", "0008_fac_scan_seconds"),
    ]

    operations = [
        migrations.CreateModel(
            name="OwnedTable",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("ops_table", models.CharField(max_length=64, unique=True, verbose_name="OPS table")),
                ("fac_table", models.CharField(max_length=64, null=True, verbose_name="FAC table")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={
                "verbose_name": "table created by opsync",
                "verbose_name_plural": "tables created by opsync",
            },
        ),
        migrations.RunPython(owned_tables_found, migrations.RunPython.noop),
    ]
