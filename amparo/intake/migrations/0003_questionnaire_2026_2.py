"""Ship questionnaire 2026-2: the informed consent text, the short urgent
form, and the corrected wording (« l'équipe », «el equipo», «الفريق»,
Spanish «informe»).

2026-1 stays as it was, since reports answered with it point at its exact
wording. 2026-2 becomes the version in use only where 2026-1 still is (or
none is marked): a version an administrator chose is left in use.
"""

import json
from pathlib import Path

from django.db import migrations

SHIPPED = "questionnaire-2026-2.json"
PREVIOUS = "2026-1"


def load(apps, schema_editor):
    Questionnaire = apps.get_model("intake", "Questionnaire")
    path = Path(__file__).resolve().parent.parent / "data" / SHIPPED
    definition = json.loads(path.read_text(encoding="utf-8"))
    if Questionnaire.objects.filter(version=definition["version"]).exists():
        return
    current = Questionnaire.objects.filter(is_current=True).first()
    take_over = current is None or current.version == PREVIOUS
    if take_over and current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    Questionnaire.objects.create(
        version=definition["version"], definition=definition, is_current=take_over
    )


def unload(apps, schema_editor):
    Questionnaire = apps.get_model("intake", "Questionnaire")
    row = Questionnaire.objects.filter(version="2026-2").first()
    if row is None:
        return
    was_current = row.is_current
    # Keep the row if reports were answered with it: they point at its wording.
    Case = apps.get_model("cases", "Case")
    if Case.objects.filter(questionnaire_version="2026-2").exists():
        row.is_current = False
        row.save(update_fields=["is_current"])
    else:
        row.delete()
    if was_current:
        Questionnaire.objects.filter(version=PREVIOUS).update(is_current=True)


class Migration(migrations.Migration):
    dependencies = [("intake", "0002_shipped_questionnaire"), ("cases", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
