"""Escalation (exactly once) and the daily digest, read from a real SMTP server."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.models import AuditEvent
from amparo.cases.actions.create import ConsentChoice, do_create_case
from amparo.cases.actions.desk import do_change_stage
from amparo.cases.models import Case, Stage
from amparo.cases.signals import case_activity
from amparo.notify.models import OutboundEmail
from amparo.notify.outbox import deliver_due
from amparo.notify.receivers import paused
from amparo.notify.tests.base import COORDINATOR_EMAIL, HANDLER_EMAIL
from amparo.notify.tests.conftest import SMTPServer
from amparo.protection import reminders
from amparo.protection.models import DigestSent, Measure, UrgentWatch
from amparo.protection.tests.base import ProtectionTestCase, add_measure

URGENCY_WORDS_OK = {"Urgent", "Urgente", "عاجل"}


@pytest.mark.usefixtures("smtp")
class ReminderTests(ProtectionTestCase):
    smtp: SMTPServer

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        User.objects.filter(pk=cls.coordinator.user.pk).update(email=COORDINATOR_EMAIL)
        User.objects.filter(pk=cls.handler.user.pk).update(email=HANDLER_EMAIL)

    def urgent_report(self) -> Case:
        self.marker = f"MARKER{uuid.uuid4().hex}"
        with paused():  # the generic "new report" mail is notify's business
            created = do_create_case(
                answers={"narrative": f"{self.marker} men with guns at the door"},
                language="fr",
                questionnaire_version="test-1",
                urgency="urgent",
                consents=[ConsentChoice("store", True, "test-1")],
                with_receipt=False,
            )
            with self.captureOnCommitCallbacks(execute=True):
                from django.db import transaction

                case = created.case
                transaction.on_commit(
                    lambda: case_activity.send(sender=Case, case=case, kind="new_case")
                )
        return created.case

    def run_and_deliver(self, now: datetime.datetime) -> reminders.Run:
        result = reminders.run(now)
        if result.queued:
            # Queued "now" by the real clock: deliver by it too.
            deliver_due(ids=result.queued, limit=len(result.queued))
        return result

    def test_an_urgent_case_not_acknowledged_in_time_escalates_exactly_once(self) -> None:
        case = self.urgent_report()
        watch = UrgentWatch.objects.get(case=case)
        assert watch.escalate_at is not None
        start = watch.escalate_at - datetime.timedelta(minutes=120)
        self.assertEqual(self.run_and_deliver(start + datetime.timedelta(minutes=119)).escalated, 0)
        self.assertEqual(self.smtp.received, [])
        later = start + datetime.timedelta(minutes=121)
        self.assertEqual(self.run_and_deliver(later).escalated, 1)
        for minutes in (122, 180, 60 * 30):
            self.assertEqual(
                self.run_and_deliver(start + datetime.timedelta(minutes=minutes)).escalated, 0
            )
        escalations = [m for m in self.smtp.received if m.subject in URGENCY_WORDS_OK]
        self.assertEqual(len(escalations), 1)
        message = escalations[0]
        self.assertEqual(message.rcpt_tos, [COORDINATOR_EMAIL])
        self.assertEqual(message.subject, "Urgent")
        everything = message.message.as_string() + message.body
        for secret in (self.marker, case.reference, case.public_id, "guns"):
            self.assertNotIn(secret, everything)
        self.assertIn("https://desk.amparo.test/en/staff/login/", message.body)
        watch.refresh_from_db()
        # The exact time is gone once escalated; only the day stays.
        self.assertIsNone(watch.escalate_at)
        self.assertEqual(watch.escalated_on, timezone.localdate(later))
        event = AuditEvent.objects.get(action="urgent_escalated")
        self.assertEqual(event.target_id, case.public_id)
        self.assertIsNone(event.actor_id)

    def test_acknowledging_in_time_stops_the_clock(self) -> None:
        case = self.urgent_report()
        opened = self.open(case)
        with self.captureOnCommitCallbacks(execute=True):
            do_change_stage(
                opened, self.coordinator.user, Stage.ACKNOWLEDGED, expected_version=case.version
            )
        self.assertFalse(UrgentWatch.objects.filter(case=case).exists())
        result = self.run_and_deliver(timezone.now() + datetime.timedelta(hours=5))
        self.assertEqual(result.escalated, 0)
        self.assertEqual(self.smtp.received, [])

    def test_a_missed_clock_is_started_by_the_run(self) -> None:
        case = self.urgent_report()
        UrgentWatch.objects.all().delete()
        now = timezone.now()
        self.assertEqual(reminders.run(now).clocks_started, 1)
        watch = UrgentWatch.objects.get(case=case)
        self.assertEqual(watch.escalate_at, now + datetime.timedelta(minutes=120))

    def test_the_on_call_address_gets_the_escalation_when_set(self) -> None:
        case = self.urgent_report()
        UrgentWatch.objects.filter(case=case).update(escalate_at=timezone.now())
        with override_settings(AMPARO_ONCALL_EMAIL=["oncall@desk.amparo.test"]):
            call_command("send_reminders", verbosity=0)
            call_command("send_reminders", verbosity=0)
        escalations = [m.rcpt_tos for m in self.smtp.received if m.subject == "Urgent"]
        self.assertEqual(escalations, [["oncall@desk.amparo.test"]])

    def test_the_daily_digest_goes_once_a_day_with_counts_only(self) -> None:
        case = self.assign(self.urgent_report(), self.handler)
        Case.objects.filter(pk=case.pk).update(stage=Stage.ACKNOWLEDGED)
        add_measure(self.open(case), self.coordinator.user, description=f"{self.marker} flight")
        Measure.objects.update(due_on=datetime.date(2026, 6, 1))
        morning = datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC)
        with override_settings(AMPARO_DIGEST_HOUR=7):
            too_early = morning.replace(hour=6)
            self.assertEqual(self.run_and_deliver(too_early).digests, 0)
            self.assertEqual(self.run_and_deliver(morning).digests, 2)  # handler and coordinator
            self.assertEqual(self.run_and_deliver(morning.replace(hour=12)).digests, 0)
            self.assertEqual(self.run_and_deliver(morning + datetime.timedelta(days=1)).digests, 2)
        digests = [m for m in self.smtp.received if "daily summary" in m.subject]
        self.assertEqual(len(digests), 4)
        to_handler = next(m for m in digests if m.rcpt_tos == [HANDLER_EMAIL])
        self.assertIn("Measures past due: 1", to_handler.body)
        everything = to_handler.message.as_string()
        for secret in (self.marker, case.reference, case.public_id, "flight"):
            self.assertNotIn(secret, everything)
        self.assertEqual(DigestSent.objects.count(), 4)

    def test_nobody_with_nothing_due_gets_a_digest(self) -> None:
        with override_settings(AMPARO_DIGEST_HOUR=0):
            self.assertEqual(self.run_and_deliver(timezone.now()).digests, 0)
        self.assertEqual(OutboundEmail.objects.count(), 0)
