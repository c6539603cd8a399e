from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.migrations.operations import AddIndex


class PortableAddIndexConcurrently(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL (follow-ups grow with the programme: no lock on
    writes while it builds); a plain CREATE INDEX elsewhere (SQLite)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reentry", "0001_initial"),
    ]

    operations = [
        PortableAddIndexConcurrently(
            model_name="followup",
            index=models.Index(
                condition=models.Q(("employment__in", ["employed", "self_employed"])),
                fields=["person", "date"],
                name="employed_follow_up_by_person",
            ),
        ),
    ]
