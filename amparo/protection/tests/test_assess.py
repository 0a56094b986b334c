"""Recording assessments: history, the current one, reasons, dates, encryption, audit."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from amparo.audit.models import AuditEvent
from amparo.cases.actions.common import CaseError
from amparo.cases.actions.desk import do_change_stage
from amparo.cases.models import Stage
from amparo.cases.tests.base import make_case
from amparo.protection.actions import ProtectionError, Rating, Threat, do_assess
from amparo.protection.models import Assessment
from amparo.protection.tests.base import ProtectionTestCase, assess, values


class AssessTests(ProtectionTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.opened = self.open(make_case().case)

    def test_it_keeps_every_assessment_and_the_latest_is_current(self) -> None:
        first = assess(self.opened, self.coordinator.user, likelihood=1, impact=1)
        second = assess(self.opened, self.coordinator.user, likelihood=4, impact=4)
        third = assess(self.opened, self.coordinator.user, likelihood=2, impact=2)
        rows = list(Assessment.objects.filter(case=self.opened.case).order_by("number"))
        self.assertEqual([a.pk for a in rows], [first.pk, second.pk, third.pk])
        self.assertEqual([a.level for a in rows], ["low", "critical", "medium"])
        self.assertEqual([a.is_current for a in rows], [False, False, True])
        self.assertEqual([a.number for a in rows], [1, 2, 3])
        second_content = self.opened.decrypt_json(second.content, second.aad_field())
        self.assertEqual(second_content["changed"], ["likelihood", "impact", "level", "review_on"])
        first_content = self.opened.decrypt_json(first.content, first.aad_field())
        self.assertEqual(first_content["changed"], ["first"])
        events = AuditEvent.objects.filter(action="risk_assessed").order_by("seq")
        self.assertEqual([e.details["level"] for e in events], ["low", "critical", "medium"])
        self.assertEqual(events[1].actor_id, self.coordinator.user.pk)

    def test_it_refuses_an_override_without_a_reason_and_writes_nothing(self) -> None:
        with self.assertRaises(ProtectionError) as caught:
            assess(self.opened, self.coordinator.user, likelihood=1, impact=1, chosen_level="high")
        self.assertEqual(caught.exception.code, "override_reason_required")
        self.assertFalse(Assessment.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="risk_assessed").exists())
        kept = assess(
            self.opened,
            self.coordinator.user,
            likelihood=1,
            impact=1,
            chosen_level="high",
            override_reason="Same group killed a colleague last year.",
        )
        self.assertEqual(kept.level, "high")
        content = self.opened.decrypt_json(kept.content, kept.aad_field())
        self.assertEqual((content["computed_level"], content["basis"]), ("low", "override"))
        self.assertNotIn(b"colleague", bytes(kept.content))

    def test_clear_and_present_danger_is_critical_and_due_in_three_days(self) -> None:
        today = timezone.localdate()
        kept = assess(
            self.opened, self.coordinator.user, likelihood=1, impact=1, clear_and_present=True
        )
        self.assertEqual(kept.level, "critical")
        self.assertEqual(kept.review_on, today + datetime.timedelta(days=3))

    def test_the_re_assessment_date_defaults_by_level_or_is_given(self) -> None:
        today = timezone.localdate()
        for (likelihood, impact), days in {(1, 1): 90, (2, 2): 30, (3, 3): 14, (4, 4): 3}.items():
            kept = assess(self.opened, self.coordinator.user, likelihood=likelihood, impact=impact)
            self.assertEqual(kept.review_on, today + datetime.timedelta(days=days))
        given = today + datetime.timedelta(days=5)
        self.assertEqual(
            assess(self.opened, self.coordinator.user, review_on=given).review_on, given
        )
        with self.assertRaises(ProtectionError) as caught:
            assess(self.opened, self.coordinator.user, review_on=today)
        self.assertEqual(caught.exception.code, "review_in_past")

    def test_it_needs_a_threat_with_facts_and_a_reason_for_each_rating(self) -> None:
        bad = values()
        bad.threats = [Threat(facts="  ")]
        with self.assertRaises(ProtectionError) as caught:
            do_assess(self.opened, self.coordinator.user, bad, expected_number=0)
        self.assertEqual(caught.exception.code, "threat_required")
        bad = values()
        bad.vulnerabilities = {"location.routines": Rating("high", " ")}
        with self.assertRaises(ProtectionError) as caught:
            do_assess(self.opened, self.coordinator.user, bad, expected_number=0)
        self.assertEqual(caught.exception.code, "rating_reason_required")
        bad = values()
        bad.capacities = {"no.such_item": Rating("high", "x")}
        with self.assertRaises(ProtectionError) as caught:
            do_assess(self.opened, self.coordinator.user, bad, expected_number=0)
        self.assertEqual(caught.exception.code, "unknown_item")

    def test_a_stale_form_is_refused(self) -> None:
        assess(self.opened, self.coordinator.user)
        with self.assertRaises(ProtectionError) as caught:
            do_assess(self.opened, self.coordinator.user, values(), expected_number=0)
        self.assertEqual(caught.exception.code, "stale")
        self.assertEqual(Assessment.objects.count(), 1)

    def test_the_database_allows_one_current_assessment_per_case(self) -> None:
        kept = assess(self.opened, self.coordinator.user)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Assessment.objects.create(
                case=kept.case, number=2, level="low", review_on=kept.review_on, content=b"x"
            )
        with self.assertRaises(IntegrityError), transaction.atomic():
            Assessment.objects.filter(pk=kept.pk).update(level="extreme")


class AssessedStageTests(ProtectionTestCase):
    def test_the_move_to_assessed_needs_a_current_assessment(self) -> None:
        opened = self.open(make_case().case)
        self.move(opened, self.coordinator, Stage.ACKNOWLEDGED, Stage.UNDER_ASSESSMENT)
        opened.case.refresh_from_db()
        with self.assertRaises(CaseError) as caught:
            do_change_stage(
                opened, self.coordinator.user, Stage.ASSESSED, expected_version=opened.case.version
            )
        self.assertEqual(caught.exception.code, "current_assessment_required")
        opened.case.refresh_from_db()
        self.assertEqual(opened.case.stage, Stage.UNDER_ASSESSMENT)
        assess(opened, self.coordinator.user)
        self.move(opened, self.coordinator, Stage.ASSESSED)
        opened.case.refresh_from_db()
        self.assertEqual(opened.case.stage, Stage.ASSESSED)
