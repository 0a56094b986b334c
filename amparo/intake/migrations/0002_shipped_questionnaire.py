"""Load the questionnaire that ships with Amparo and make it current.

The definition is read from the JSON file in amparo/intake/data: a later
version ships as a new file with its own migration, and a version already
in the database is never overwritten (reports point at it).
"""

import json
from pathlib import Path

from django.db import migrations

SHIPPED = "questionnaire-2026-1.json"


def load(apps, schema_editor):
    Questionnaire = apps.get_model("intake", "Questionnaire")
    path = Path(__file__).resolve().parent.parent / "data" / SHIPPED
    definition = json.loads(path.read_text(encoding="utf-8"))
    if Questionnaire.objects.filter(version=definition["version"]).exists():
        return
    Questionnaire.objects.create(
        version=definition["version"],
        definition=definition,
        is_current=not Questionnaire.objects.filter(is_current=True).exists(),
    )


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
