"""Trigram indexes for finding residents by name in the inbox's search, on PostgreSQL only.

Same expression as Django's ``icontains`` (``UPPER(column::text)``), so the planner uses them.
"""

from django.db import migrations

INDEXES = {
    "citizen_name_trgm": ("citizens_citizen", "name"),
    "identity_display_trgm": ("citizens_identity", "display"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("citizens", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
