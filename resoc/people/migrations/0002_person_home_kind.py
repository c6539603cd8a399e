from django.db import migrations, models
from django.db.models.functions import Upper

from resoc.core.migration_operations import PortableAddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        PortableAddIndexConcurrently(
            model_name="person",
            index=models.Index(Upper("home_municipality"), models.F("kind"), name="person_home_kind"),
        ),
    ]
