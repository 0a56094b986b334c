"""Delivery over SMTP: failures are recorded and retried with backoff, never lost."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from amparo.cases.models import Urgency
from amparo.notify import outbox
from amparo.notify.models import OutboundEmail, Status
from amparo.notify.tests.base import COORDINATOR_EMAIL, HANDLER_EMAIL, NotifyTestCase


@pytest.mark.usefixtures("smtp")
class DeliveryTests(NotifyTestCase):
    def queued(self) -> OutboundEmail:
        return OutboundEmail.objects.get()

    def test_it_retries_later_when_the_server_is_down_then_delivers(self) -> None:
        self.smtp.stop()
        with self.assertLogs("amparo.notify", logging.WARNING):
            self.report(urgency=Urgency.URGENT)  # the attempt right after commit fails
        email = self.queued()
        self.assertEqual(email.status, Status.QUEUED)
        self.assertEqual(email.attempts, 1)
        self.assertTrue(email.last_error.startswith("ConnectionRefusedError"), email.last_error)
        self.assertNotIn(COORDINATOR_EMAIL, email.last_error)
        assert email.next_attempt_at is not None
        wait = email.next_attempt_at - timezone.now()
        self.assertTrue(timedelta(seconds=50) < wait <= outbox.BASE_DELAY, wait)

        # Not due yet: a run now leaves it alone.
        self.smtp.start()
        self.assertEqual(outbox.deliver_due(), outbox.Delivery())
        self.assertEqual(self.smtp.received, [])

        later = timezone.now() + outbox.BASE_DELAY
        self.assertEqual(outbox.deliver_due(now=later), outbox.Delivery(sent=1))
        [message] = self.smtp.received
        self.assertEqual(message.rcpt_tos, [COORDINATOR_EMAIL])
        email.refresh_from_db()
        self.assertEqual((email.status, email.attempts), (Status.SENT, 2))
        self.assertEqual(email.sent_on, timezone.localdate())
        self.assertIsNone(email.next_attempt_at)  # no exact time kept once settled

    def test_it_waits_twice_as_long_after_each_failure(self) -> None:
        self.assertEqual(
            [outbox.backoff(n) for n in range(1, 10)],
            [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 64, 120, 120)],
        )

    def test_it_gives_up_after_the_last_attempt_and_says_so_without_the_address(self) -> None:
        self.smtp.stop()
        with self.assertLogs("amparo.notify", logging.WARNING):
            self.report()
        now = timezone.now()
        with self.assertLogs("amparo.notify", logging.WARNING) as logs:
            while self.queued().status == Status.QUEUED:
                now += outbox.MAX_DELAY
                outbox.deliver_due(now=now)
        email = self.queued()
        self.assertEqual((email.status, email.attempts), (Status.FAILED, outbox.MAX_ATTEMPTS))
        self.assertIsNone(email.next_attempt_at)
        [final] = [line for line in logs.output if line.startswith("ERROR")]
        self.assertIn(f"notification {email.pk} (new_case) failed after 10 attempt(s)", final)
        self.assertNotIn("@", "\n".join(logs.output))

    def test_it_gives_up_at_once_when_the_server_refuses_the_address(self) -> None:
        self.smtp.inbox.refuse[COORDINATOR_EMAIL] = f"550 5.1.1 <{COORDINATOR_EMAIL}> unknown"
        with self.assertLogs("amparo.notify", logging.ERROR) as logs:
            self.report()
        email = self.queued()
        self.assertEqual((email.status, email.attempts), (Status.FAILED, 1))
        self.assertEqual(email.last_error, "SMTPRecipientsRefused: 550")
        self.assertNotIn("@", "\n".join(logs.output))

    def test_it_retries_a_temporary_refusal(self) -> None:
        self.smtp.inbox.refuse[COORDINATOR_EMAIL] = "450 4.2.1 mailbox busy, try later"
        with self.assertLogs("amparo.notify", logging.WARNING):
            self.report()
        email = self.queued()
        self.assertEqual((email.status, email.attempts), (Status.QUEUED, 1))
        self.assertEqual(email.last_error, "SMTPRecipientsRefused: 450")
        del self.smtp.inbox.refuse[COORDINATOR_EMAIL]
        outbox.deliver_due(now=timezone.now() + outbox.BASE_DELAY)
        self.assertEqual(self.queued().status, Status.SENT)

    def test_it_keeps_going_past_one_refused_address(self) -> None:
        self.smtp.stop()
        with self.assertLogs("amparo.notify", logging.WARNING):
            created = self.report()
            self.assign(created.case, self.handler.user)
            self.announce(created.case, "assigned")
        self.smtp.start()
        self.smtp.inbox.refuse[COORDINATOR_EMAIL] = "550 no such user"
        with self.assertLogs("amparo.notify", logging.ERROR):
            result = outbox.deliver_due(now=timezone.now() + outbox.LEASE)
        self.assertEqual(result, outbox.Delivery(sent=1, failed=1))
        self.assertEqual([m.rcpt_tos for m in self.smtp.received], [[HANDLER_EMAIL]])

    def test_it_never_sends_a_message_another_sender_is_sending(self) -> None:
        self.smtp.stop()
        with self.assertLogs("amparo.notify", logging.WARNING):
            self.report()
        self.smtp.start()
        now = timezone.now() + outbox.BASE_DELAY
        in_flight = outbox._claim(self.queued().pk, now)  # another sender took it
        self.assertIsNotNone(in_flight)
        self.assertEqual(outbox.deliver_due(now=now), outbox.Delivery())
        # That sender died: once its lease runs out, the message goes.
        self.assertEqual(outbox.deliver_due(now=now + outbox.LEASE), outbox.Delivery(sent=1))
        self.assertEqual(self.queued().attempts, 3)

    def test_it_records_no_secret_from_the_settings(self) -> None:
        self.smtp.stop()
        with (
            self.settings(EMAIL_HOST_USER="desk-user", EMAIL_HOST_PASSWORD="hunter2-secret"),
            self.assertLogs("amparo.notify", logging.WARNING) as logs,
        ):
            self.report()
        for secret in ("desk-user", "hunter2-secret", "127.0.0.1", str(self.smtp.port)):
            self.assertNotIn(secret, self.queued().last_error)
            self.assertNotIn(secret, "\n".join(logs.output))
