from django.db import migrations


def load(apps, schema_editor):
    # The measures and the vulnerability and capacity checklists (issue 8);
    # the loader is idempotent, so the lists already loaded stay as they are.
    from amparo.reference.loader import load_reference_data

    load_reference_data(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("reference", "0002_load_reference_data"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop, elidable=False),
    ]
