"""Who is told about what, and what the e-mail says: read from a real SMTP server."""

from __future__ import annotations

import logging
import uuid
from unittest import mock

import pytest
from django.test import override_settings

from amparo.accounts.models import User
from amparo.cases.actions.desk import do_change_stage
from amparo.cases.actions.keys import do_assign
from amparo.cases.models import Stage, Urgency
from amparo.cases.vault import lookup_for_receipt, open_for_staff
from amparo.crypto import generate_receipt
from amparo.intake.actions import do_reporter_message, do_submit_report
from amparo.notify.models import OutboundEmail, Status
from amparo.notify.receivers import paused, recipient_language
from amparo.notify.tests.base import COORDINATOR_EMAIL, HANDLER_EMAIL, NotifyTestCase

# Words that would betray the urgency, in the four languages.
URGENCY_WORDS = ["urgent", "urgence", "urgente", "danger", "peligro", "عاجل", "خطر"]


@pytest.mark.usefixtures("smtp")
class WhoIsToldTests(NotifyTestCase):
    def recipients(self) -> list[list[str]]:
        return [sorted(message.rcpt_tos) for message in self.smtp.received]

    def test_it_alerts_the_coordinators_of_an_urgent_report(self) -> None:
        self.report(urgency=Urgency.URGENT)
        self.assertEqual(self.recipients(), [[COORDINATOR_EMAIL]])

    def test_it_alerts_the_coordinators_of_a_report_nobody_has(self) -> None:
        self.report()
        self.assertEqual(self.recipients(), [[COORDINATOR_EMAIL]])

    def test_it_alerts_the_on_call_address_instead_when_one_is_set(self) -> None:
        with override_settings(AMPARO_ONCALL_EMAIL=["oncall@desk.amparo.test"]):
            self.report(urgency=Urgency.URGENT)
        self.assertEqual(self.recipients(), [["oncall@desk.amparo.test"]])

    def test_it_tells_the_assignee_and_on_call_of_an_urgent_assigned_report(self) -> None:
        created = self.report()
        self.smtp.received.clear()
        self.assign(created.case, self.handler.user)
        created.case.urgency = Urgency.URGENT
        created.case.save(update_fields=["urgency"])
        self.announce(created.case, "new_case")
        self.assertEqual(sorted(self.recipients()), [[COORDINATOR_EMAIL], [HANDLER_EMAIL]])

    def test_it_tells_only_the_assignee_of_a_reporter_message(self) -> None:
        created = self.report()
        self.smtp.received.clear()
        self.assign(created.case, self.handler.user)
        self.announce(created.case, "reporter_message")
        self.assertEqual(self.recipients(), [[HANDLER_EMAIL]])

    def test_it_tells_on_call_of_a_reporter_message_nobody_has(self) -> None:
        created = self.report()
        self.smtp.received.clear()
        self.announce(created.case, "reporter_message")
        self.assertEqual(self.recipients(), [[COORDINATOR_EMAIL]])

    def test_it_tells_on_call_when_the_assignee_has_no_address(self) -> None:
        created = self.report()
        self.smtp.received.clear()
        self.assign(created.case, self.outsider.user)
        with self.assertLogs("amparo.notify", logging.WARNING) as logs:
            self.announce(created.case, "reporter_message")
        self.assertEqual(self.recipients(), [[COORDINATOR_EMAIL]])
        self.assertIn("no usable e-mail address", "\n".join(logs.output))

    def test_it_tells_the_new_assignee(self) -> None:
        created = self.report()
        self.smtp.received.clear()
        self.assign(created.case, self.handler.user)
        self.announce(created.case, "assigned")
        self.assertEqual(self.recipients(), [[HANDLER_EMAIL]])

    def test_it_tells_nobody_of_a_change_of_stage(self) -> None:
        created = self.report()
        self.smtp.received.clear()
        self.assign(created.case, self.handler.user)
        self.announce(created.case, "stage_changed")
        self.assertEqual(self.recipients(), [])
        self.assertEqual(OutboundEmail.objects.count(), 1)  # the new report's only

    def test_it_skips_coordinators_who_left(self) -> None:
        User.objects.filter(pk=self.coordinator.user.pk).update(is_active=False)
        with self.assertLogs("amparo.notify", logging.WARNING) as logs:
            self.report(urgency=Urgency.URGENT)
        self.assertEqual(self.recipients(), [])
        self.assertIn("nobody to notify", "\n".join(logs.output))
        self.assertNotIn("@", "\n".join(logs.output))

    def test_it_sends_one_message_to_an_address_that_has_one_waiting(self) -> None:
        self.smtp.stop()  # so the first one stays queued
        created = self.report()
        self.announce(created.case, "reporter_message")
        self.assertEqual(OutboundEmail.objects.filter(status=Status.QUEUED).count(), 1)

    def test_it_queues_nothing_while_paused(self) -> None:
        with paused():
            self.report(urgency=Urgency.URGENT)
        self.assertFalse(OutboundEmail.objects.exists())
        self.assertEqual(self.recipients(), [])

    def test_it_never_fails_the_request_that_raised_the_activity(self) -> None:
        with (
            mock.patch("amparo.notify.receivers.queue", side_effect=RuntimeError("db down")),
            self.assertLogs("amparo.notify", logging.ERROR) as logs,
        ):
            self.report(urgency=Urgency.URGENT)  # does not raise
        self.assertIn("could not queue a notification of new_case", logs.output[0])


@pytest.mark.usefixtures("smtp")
class WhatIsSaidTests(NotifyTestCase):
    def test_it_says_nothing_about_the_case(self) -> None:
        created = self.report(urgency=Urgency.URGENT)
        [message] = self.smtp.received
        text = f"{message.subject}\n{message.body}\n{message.message.as_string()}"
        for secret in [
            self.marker,
            created.case.reference,
            created.case.public_id,
            "Colombia",
            "hearing",
            *URGENCY_WORDS,
        ]:
            self.assertNotIn(secret.casefold(), text.casefold())

    def test_it_says_there_is_activity_and_links_to_the_sign_in_page(self) -> None:
        self.report()
        [message] = self.smtp.received
        self.assertEqual(message.subject, "Amparo: activity on the desk")
        self.assertEqual(message.mail_from, "desk@amparo.test")
        self.assertEqual(message.message["Auto-Submitted"], "auto-generated")
        self.assertIn("There is activity on the Amparo desk that needs you.", message.body)
        self.assertIn(
            "https://desk.amparo.test/en/staff/login/?next=%2Fen%2Fstaff%2F", message.body
        )
        self.assertEqual(message.message.get_content_type(), "text/plain")

    def test_it_writes_in_the_installation_language(self) -> None:
        for language, subject in [
            # The no-break space before the colon folds to a space in the header.
            ("fr", "Amparo : du nouveau pour l\u2019équipe"),
            ("es", "Amparo: actividad en el equipo"),
            ("ar", "Amparo: نشاط في الفريق"),
        ]:
            with self.subTest(language), override_settings(LANGUAGE_CODE=language):
                self.smtp.received.clear()
                OutboundEmail.objects.all().delete()
                self.report()
                [message] = self.smtp.received
                self.assertEqual(message.subject, subject)
                self.assertIn(f"/{language}/staff/login/", message.body)

    def test_it_writes_in_the_recipients_language_when_they_have_one(self) -> None:
        person = User(username="someone")
        person.language = "ar"  # type: ignore[attr-defined]
        self.assertEqual(recipient_language(person), "ar")
        person.language = "xx"  # type: ignore[attr-defined]
        self.assertEqual(recipient_language(person), "en")
        self.assertEqual(recipient_language(User(username="plain")), "en")


@pytest.mark.usefixtures("smtp")
class RealActivityTests(NotifyTestCase):
    """The signals the intake and desk actions really send reach the right people."""

    def test_it_follows_a_report_from_submission_to_reply(self) -> None:
        receipt = generate_receipt()
        with self.captureOnCommitCallbacks(execute=True):
            new = do_submit_report(
                answers={"what_happened": "MARKER-REAL they took my passport", "country": "VE"},
                language="es",
                questionnaire_version="test-1",
                urgent=True,
                consents=[("store", True, "test-1")],
                files=[],
                receipt_secrets=(receipt, *lookup_for_receipt(receipt)),
                form_nonce=uuid.uuid4().hex,
            )
        case = new.case
        with self.captureOnCommitCallbacks(execute=True):
            do_assign(
                self.coordinator.user,
                self.coordinator.private_key(),
                case,
                self.handler.user,
                expected_version=case.version,
            )
        with self.captureOnCommitCallbacks(execute=True):
            do_reporter_message(new.opened, text="MARKER-REAL they came back", files=[])
        opened = open_for_staff(case, self.handler.user, self.handler.private_key())
        with self.captureOnCommitCallbacks(execute=True):
            do_change_stage(
                opened, self.handler.user, Stage.ACKNOWLEDGED, expected_version=case.version
            )

        self.assertEqual(
            [message.rcpt_tos for message in self.smtp.received],
            [[COORDINATOR_EMAIL], [HANDLER_EMAIL], [HANDLER_EMAIL]],
        )
        for message in self.smtp.received:
            text = f"{message.subject}\n{message.body}"
            for secret in ("MARKER-REAL", case.reference, case.public_id, "VE", "passport"):
                self.assertNotIn(secret, text)
