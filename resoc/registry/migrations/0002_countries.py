from django.db import migrations

from resoc.registry.migrations._countries import NAMES


def add_countries(apps, schema_editor):
    Country = apps.get_model("registry", "Country")
    for code, name in NAMES.items():
        Country.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(add_countries, migrations.RunPython.noop)]
