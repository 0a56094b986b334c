"""The protection plan: measures, their statuses, history and encryption."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from amparo.audit.models import AuditEvent
from amparo.cases.tests.base import make_case
from amparo.protection.actions import (
    MeasureValues,
    ProtectionError,
    do_update_measure,
    read_measure,
)
from amparo.protection.models import Measure, MeasureChange, MeasureStatus
from amparo.protection.tests.base import ProtectionTestCase, add_measure
from amparo.reference import api as reference

ISSUE_KINDS = [
    "emergency_grant",
    "temporary_relocation",
    "legal_aid",
    "medical_psychosocial",
    "digital_security",
    "physical_security",
    "private_demarche",
    "public_statement",
    "court_organ.victims_witnesses",
    "court_organ.prosecutor_article_70",
    "un_advocacy",
    "other",
]


class MeasureTests(ProtectionTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.opened = self.open(make_case().case)

    def test_the_vocabulary_is_the_issues_list_in_four_languages(self) -> None:
        self.assertEqual([c for c, _l in reference.choices("protection_measure")], ISSUE_KINDS)
        labels = {lang: reference.term_labels("protection_measure", lang) for lang in ("en", "ar")}
        self.assertEqual(labels["en"]["private_demarche"], "Private démarche by a State")
        self.assertEqual(labels["ar"]["public_statement"], "بيان علني")

    def test_it_moves_a_measure_along_and_keeps_its_history(self) -> None:
        measure = add_measure(
            self.opened,
            self.coordinator.user,
            description="Pay three months of rent elsewhere.",
            owner=self.coordinator.user,
        )
        self.assertEqual(measure.status, MeasureStatus.PROPOSED)
        values = MeasureValues(
            kind="legal_aid",
            description="Pay three months of rent elsewhere.",
            owner=self.coordinator.user,
            defender_agreed="yes",
        )
        for status in (MeasureStatus.REQUESTED, MeasureStatus.IN_PROGRESS):
            measure = do_update_measure(
                self.opened,
                self.coordinator.user,
                measure,
                values,
                status=status,
                expected_version=measure.version,
            )
        values.outcome = "OUTCOME moved to a safe house"
        measure = do_update_measure(
            self.opened,
            self.coordinator.user,
            measure,
            values,
            status=MeasureStatus.DONE,
            expected_version=measure.version,
            note="Confirmed by phone.",
        )
        self.assertEqual(measure.status, MeasureStatus.DONE)
        self.assertIsNotNone(measure.ended_on)
        self.assertEqual(
            read_measure(self.opened, measure)["outcome"], "OUTCOME moved to a safe house"
        )
        self.assertNotIn(b"OUTCOME", bytes(measure.details))
        changes = MeasureChange.objects.filter(measure=measure)
        self.assertEqual(
            [(c.from_status, c.to_status) for c in changes],
            [
                ("", "proposed"),
                ("proposed", "requested"),
                ("requested", "in_progress"),
                ("in_progress", "done"),
            ],
        )
        self.assertEqual(AuditEvent.objects.filter(action="measure_changed").count(), 3)
        self.assertEqual(
            AuditEvent.objects.get(action="measure_added").details["kind"], "legal_aid"
        )

    def test_a_finished_measure_is_final_and_stale_forms_are_refused(self) -> None:
        measure = add_measure(self.opened, self.coordinator.user)
        values = MeasureValues(kind="legal_aid")
        with self.assertRaises(ProtectionError) as caught:
            do_update_measure(
                self.opened,
                self.coordinator.user,
                measure,
                values,
                status="failed",
                expected_version=1,
            )
        self.assertEqual(caught.exception.code, "illegal_status")
        done = do_update_measure(
            self.opened,
            self.coordinator.user,
            measure,
            values,
            status="declined",
            expected_version=1,
        )
        with self.assertRaises(ProtectionError) as caught:
            do_update_measure(
                self.opened,
                self.coordinator.user,
                done,
                values,
                status="in_progress",
                expected_version=2,
            )
        self.assertEqual(caught.exception.code, "illegal_status")
        with self.assertRaises(ProtectionError) as caught:
            do_update_measure(
                self.opened,
                self.coordinator.user,
                measure,  # the old instance, version 1
                MeasureValues(kind="legal_aid", outcome="x"),
                status="declined",
                expected_version=1,
            )
        self.assertEqual(caught.exception.code, "stale")

    def test_it_refuses_unknown_kinds_and_owners_without_the_case_key(self) -> None:
        with self.assertRaises(ProtectionError) as caught:
            add_measure(self.opened, self.coordinator.user, kind="bribe")
        self.assertEqual(caught.exception.code, "unknown_item")
        with self.assertRaises(ProtectionError) as caught:
            add_measure(self.opened, self.coordinator.user, owner=self.outsider.user)
        self.assertEqual(caught.exception.code, "bad_owner")
        self.assertFalse(Measure.objects.exists())

    def test_the_database_refuses_unknown_statuses(self) -> None:
        measure = add_measure(self.opened, self.coordinator.user)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Measure.objects.filter(pk=measure.pk).update(status="lost")
        with self.assertRaises(IntegrityError), transaction.atomic():
            Measure.objects.filter(pk=measure.pk).update(ended_on=measure.proposed_on)
