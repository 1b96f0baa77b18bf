"""Trigram indexes for the inbox's search, on PostgreSQL only (SQLite searches with LIKE).

Django's ``icontains`` reads ``UPPER(column::text) LIKE UPPER('%…%')``: the indexes are on
that very expression, so the planner uses them for any substring of three or more letters.
"""

from django.db import migrations

INDEXES = {
    "case_reference_trgm": "reference",
    "case_description_trgm": "description",
    "case_address_trgm": "address",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "cases_case" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_case_location_history")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
