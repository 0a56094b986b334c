"""``manage.py send_notifications``: the periodic sender."""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from amparo.notify import outbox
from amparo.notify.models import OutboundEmail, Status
from amparo.notify.tests.base import COORDINATOR_EMAIL, NotifyTestCase


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_notifications", *args, stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("smtp")
class SendNotificationsTests(NotifyTestCase):
    def test_it_sends_what_the_attempt_after_commit_could_not(self) -> None:
        self.smtp.stop()
        with self.assertLogs("amparo.notify", logging.WARNING):
            self.report()
        self.smtp.start()
        later = timezone.now() + outbox.BASE_DELAY
        with mock.patch("amparo.notify.outbox.timezone.now", return_value=later):
            output = run()
        self.assertIn("notifications: 1 sent, 0 to retry, 0 failed", output)
        self.assertEqual([m.rcpt_tos for m in self.smtp.received], [[COORDINATOR_EMAIL]])

    def test_it_exits_non_zero_when_a_message_fails_for_good(self) -> None:
        self.smtp.inbox.refuse[COORDINATOR_EMAIL] = "450 try later"
        with self.assertLogs("amparo.notify", logging.WARNING):
            self.report()
        OutboundEmail.objects.update(
            attempts=outbox.MAX_ATTEMPTS - 1, next_attempt_at=timezone.now()
        )
        with self.assertLogs("amparo.notify", logging.ERROR), self.assertRaises(CommandError):
            run()
        self.assertEqual(OutboundEmail.objects.get().status, Status.FAILED)

    def test_it_requeues_failed_messages_on_request(self) -> None:
        self.smtp.inbox.refuse[COORDINATOR_EMAIL] = "550 no such user"
        with self.assertLogs("amparo.notify", logging.ERROR):
            self.report()
        del self.smtp.inbox.refuse[COORDINATOR_EMAIL]
        output = run("--requeue-failed")
        self.assertIn("requeued 1 failed notification(s)", output)
        self.assertIn("1 sent", output)
        email = OutboundEmail.objects.get()
        self.assertEqual((email.status, email.attempts), (Status.SENT, 1))

    def test_it_forgets_sent_messages_after_a_month(self) -> None:
        self.report()
        self.report()
        old, recent = OutboundEmail.objects.order_by("pk")
        self.assertEqual((old.status, recent.status), (Status.SENT, Status.SENT))
        OutboundEmail.objects.filter(pk=old.pk).update(
            sent_on=timezone.localdate() - outbox.KEEP_SENT - timedelta(days=1)
        )
        self.assertIn("1 old sent purged", run())
        self.assertEqual(list(OutboundEmail.objects.values_list("pk", flat=True)), [recent.pk])
