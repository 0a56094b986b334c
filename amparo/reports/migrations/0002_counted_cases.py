"""The statistics table, filled from the source for an install that upgrades.

Later changes to the table's columns should run ``counted.rebuild`` again
(``manage.py rebuild_statistics`` does the same by hand).
"""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    from amparo.reports.counted import rebuild

    rebuild(apps.get_model)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_receipt_params'),
        ('reports', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='CountedCase',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='cases.case')),
                ('received_on', models.DateField()),
                ('month', models.DateField()),
                ('countable', models.BooleanField()),
                ('consent_granted', models.BooleanField(default=False)),
                ('consent_since', models.DateField(null=True)),
                ('consent_until', models.DateField(null=True)),
                ('reprisal_types', models.TextField(blank=True)),
                ('engagement', models.TextField(blank=True)),
                ('profiles', models.TextField(blank=True)),
                ('perpetrators', models.TextField(blank=True)),
                ('situation', models.CharField(blank=True, max_length=64)),
                ('country', models.CharField(blank=True, max_length=2)),
                ('region', models.CharField(blank=True, max_length=8)),
                ('assembly_session', models.CharField(blank=True, max_length=20)),
                ('assembly_timing', models.CharField(blank=True, max_length=8)),
                ('assembly_mode', models.CharField(blank=True, max_length=12)),
            ],
            options={
                'indexes': [models.Index(fields=['received_on'], name='counted_received_on')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
