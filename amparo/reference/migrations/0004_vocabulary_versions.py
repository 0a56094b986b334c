"""Versioned vocabularies, and engagement version 2 (issue 11)."""

from django.db import migrations, models


def load(apps, schema_editor):
    # The loader adds the new engagement terms and the lists' versions; rows
    # an administrator edited are kept as they are.
    from amparo.reference.loader import load_reference_data

    load_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0003_protection_vocabularies"),
    ]

    operations = [
        migrations.AddField(
            model_name="referencelist",
            name="version",
            field=models.PositiveIntegerField(default=1, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="term",
            name="retired_in_version",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="retired in version"
            ),
        ),
        migrations.AddField(
            model_name="term",
            name="since_version",
            field=models.PositiveIntegerField(
                default=1, verbose_name="in the list since version"
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop, elidable=False),
    ]
