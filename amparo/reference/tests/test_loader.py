from __future__ import annotations

import datetime
from io import StringIO

from django.core.management import call_command

from amparo.audit.models import AuditEvent
from amparo.reference.loader import load_reference_data
from amparo.reference.models import ReferenceList, Situation, StateParty, Term
from amparo.reference.tests.base import ReferenceTestCase


class LoaderTests(ReferenceTestCase):
    def counts(self) -> tuple[int, int, int, int]:
        return (
            ReferenceList.objects.count(),
            Term.objects.count(),
            Situation.objects.count(),
            StateParty.objects.count(),
        )

    def test_it_is_idempotent(self) -> None:
        before = self.counts()
        report = load_reference_data()
        self.assertEqual((report.created, report.updated, report.kept), ([], [], []))
        self.assertEqual(self.counts(), before)

    def test_it_keeps_labels_edited_in_the_desk(self) -> None:
        term = Term.objects.get(reference_list__code="target", code="family")
        term.label_fr = "Famille proche"
        term.locally_edited = True
        term.save()
        report = load_reference_data()
        self.assertIn("term target:family", report.kept)
        term.refresh_from_db()
        self.assertEqual(term.label_fr, "Famille proche")

        report = load_reference_data(overwrite=True)
        self.assertIn("term target:family", report.updated)
        term.refresh_from_db()
        self.assertEqual(term.label_fr, "Famille")
        self.assertFalse(term.locally_edited)

    def test_it_repairs_rows_nobody_edited_and_restores_missing_ones(self) -> None:
        Term.objects.filter(reference_list__code="confidence", code="probable").update(
            label_es="Probablemente"
        )
        Situation.objects.filter(code="ukraine").delete()
        StateParty.objects.filter(country="AM").update(entry_into_force=datetime.date(2024, 3, 1))
        report = load_reference_data()
        self.assertIn("term confidence:probable", report.updated)
        self.assertIn("situation ukraine", report.created)
        self.assertIn("State Party AM", report.updated)
        self.assertEqual(
            Term.objects.get(reference_list__code="confidence", code="probable").label_es,
            "Probable",
        )
        self.assertEqual(
            StateParty.objects.get(country="AM").entry_into_force, datetime.date(2024, 2, 1)
        )

    def test_it_never_deletes_terms_added_in_the_desk(self) -> None:
        target = ReferenceList.objects.get(code="target")
        Term.objects.create(
            reference_list=target,
            code="network",
            label_en="Network",
            label_fr="Réseau",
            label_es="Red",
            label_ar="شبكة",
            position=9,
            locally_edited=True,
        )
        report = load_reference_data()
        self.assertEqual(report.unknown, ["term target:network"])
        self.assertTrue(Term.objects.filter(code="network").exists())

    def test_the_command_reports_and_audits_what_it_changed(self) -> None:
        Term.objects.filter(reference_list__code="target", code="family").update(label_en="X")
        out = StringIO()
        call_command("load_reference_data", stdout=out)
        self.assertIn("0 created, 1 updated", out.getvalue())
        event = AuditEvent.objects.get(action="reference_changed")
        self.assertIsNone(event.actor_id)
        self.assertEqual(event.details["updated"], 1)

        out = StringIO()
        call_command("load_reference_data", stdout=out)
        self.assertIn("0 created, 0 updated", out.getvalue())
        self.assertEqual(AuditEvent.objects.filter(action="reference_changed").count(), 1)
