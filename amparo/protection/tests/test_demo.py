"""seed_demo assesses and plans through the real actions."""

from __future__ import annotations

import io
import shutil
import tempfile

from django.core.management import call_command
from django.test import TestCase, override_settings

from amparo.audit.models import AuditEvent
from amparo.cases.models import Case, Stage
from amparo.protection.models import Assessment, Measure
from amparo.reference.loader import load_reference_data

ASSESSED_OR_LATER = {Stage.ASSESSED, Stage.RESPONSE_IN_PROGRESS, Stage.MONITORING}


class SeedDemoTests(TestCase):
    def test_every_assessed_case_has_an_assessment_and_plans_are_made(self) -> None:
        load_reference_data()
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        with override_settings(MEDIA_ROOT=media):
            call_command(
                "seed_demo",
                "--cases",
                "40",
                "--receipts",
                "0",
                "--workers",
                "1",
                stdout=io.StringIO(),
            )
        assessed = Case.objects.filter(stage__in=ASSESSED_OR_LATER)
        self.assertTrue(assessed.exists())
        for case in assessed:
            self.assertTrue(Assessment.objects.filter(case=case, is_current=True).exists())
        self.assertTrue(Measure.objects.exists())
        self.assertEqual(
            AuditEvent.objects.filter(action="risk_assessed").count(), Assessment.objects.count()
        )
        self.assertEqual(
            AuditEvent.objects.filter(action="measure_added").count(), Measure.objects.count()
        )
