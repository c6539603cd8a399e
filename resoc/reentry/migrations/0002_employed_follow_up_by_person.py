from django.db import migrations, models

from resoc.core.migration_operations import PortableAddIndexConcurrently


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
