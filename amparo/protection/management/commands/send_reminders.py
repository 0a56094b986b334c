"""Escalate urgent cases not acknowledged in time and send the daily digests.

Idempotent and safe to run from cron every few minutes (see README and
docs/protection.md): a case escalates once, a person gets one digest a day.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from amparo.notify.outbox import deliver_due
from amparo.protection import reminders


class Command(BaseCommand):
    help = "Escalate urgent cases not acknowledged in time; send the daily digests."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-send",
            action="store_true",
            help="Only queue the e-mails; send_notifications delivers them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = reminders.run()
        sent = 0
        if result.queued and not options["no_send"]:
            # Delivered at once: an escalation must not wait for the next
            # send_notifications run. What fails stays queued for it.
            sent = deliver_due(ids=result.queued, limit=len(result.queued)).sent
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{result.escalated} escalated, {result.digests} digests, "
                f"{len(result.queued)} e-mails queued, {sent} sent; "
                f"{result.clocks_started} urgent clocks started, "
                f"{result.clocks_stopped} stopped"
            )
