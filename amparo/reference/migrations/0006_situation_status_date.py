"""A status date for each situation, and the statuses, notes and dates
checked for issue 11 (see docs/reference-data.md for the sources)."""

from django.db import migrations, models


def load(apps, schema_editor):
    from amparo.reference.loader import load_reference_data

    load_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0005_assembly_sessions"),
    ]

    operations = [
        migrations.AddField(
            model_name="situation",
            name="status_date",
            field=models.DateField(blank=True, null=True, verbose_name="status since"),
        ),
        migrations.RunPython(load, migrations.RunPython.noop, elidable=False),
    ]
