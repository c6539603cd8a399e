"""An index on the people area's custody episodes, for the outcome figures: each person's
releases (and their institution) in person order, read from the index alone
(resoc.reporting.outcomes). At a million people it halves the time of the outcome figures (see
benchmarks/README.md, "Key results").

The people area's models do not declare it (this app reads their table, it does not own it), so
Django's model state does not know it: it is created and dropped here by name. Built
CONCURRENTLY on PostgreSQL, as indexes on this large table must be (see docs/deployment.md,
"Upgrades"); should the people area ever declare the same index, it must reuse this name and
build it IF NOT EXISTS.
"""

from django.db import migrations

NAME = "released_by_person"
COLUMNS = (
    "people_custodyepisode (person_id, released_on, institution_id) WHERE released_on IS NOT NULL"
)


def create(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {concurrently}IF NOT EXISTS {NAME} ON {COLUMNS}")


def drop(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("people", "0001_initial"),
        ("reporting", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
