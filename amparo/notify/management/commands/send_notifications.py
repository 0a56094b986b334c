"""Deliver queued notification e-mails; run it every minute from cron or a timer.

Exits non-zero when a message was given up in this run, so the scheduler
shows the failure (the log names the message, never its address).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from amparo.notify import outbox


class Command(BaseCommand):
    help = "Send the notification e-mails that are due, retrying failures with backoff."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--limit", type=int, default=500, help="Send at most this many messages."
        )
        parser.add_argument(
            "--requeue-failed",
            action="store_true",
            help="First give every failed message a fresh set of attempts "
            "(after fixing the mail settings).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["requeue_failed"]:
            count = outbox.requeue_failed()
            self.stdout.write(f"requeued {count} failed notification(s)")
        result = outbox.deliver_due(limit=options["limit"])
        purged = outbox.purge_sent()
        if options["verbosity"] > 0:
            self.stdout.write(
                f"notifications: {result.sent} sent, {result.retrying} to retry, "
                f"{result.failed} failed, {purged} old sent purged"
            )
        if result.failed:
            raise CommandError(
                f"{result.failed} notification(s) failed for good; see the log, fix the "
                "mail settings, then run send_notifications --requeue-failed"
            )
