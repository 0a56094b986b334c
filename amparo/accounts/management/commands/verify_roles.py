"""``manage.py verify_roles``: every handler and coordinator role, explained by the trail."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.accounts.roles_check import BaselineRefused, take_baseline, unexplained_key_roles
from amparo.audit.log import verify


class Command(BaseCommand):
    help = (
        "Check that every active handler and coordinator got the role through an event of "
        "the audit trail (an enrolment or a confirmed grant). Run verify_audit first; exits "
        "non-zero and lists the accounts otherwise. On an installation upgraded from before "
        "enrolments recorded their roles, check the accounts listed as 'enrolled before roles "
        "were recorded' by hand, then run once with --baseline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--baseline",
            action="store_true",
            help=(
                "Once per installation: record in the trail the key roles of every account "
                "enrolled before roles were recorded, so that later checks have a baseline. "
                "Refused if a baseline was taken already."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify()
        if not verdict.ok:
            raise CommandError(
                f"the audit trail does not verify ({verdict.problem}): fix that first"
            )
        if options["baseline"]:
            try:
                taken = take_baseline()
            except BaselineRefused as refused:
                raise CommandError(
                    f"a baseline was taken on {refused}: later roles must come through "
                    "the application"
                ) from None
            for item in taken:
                self.stdout.write(
                    f"account {item.user_id} ({item.username}): {item.role}: baseline recorded"
                )
            self.stdout.write(f"baseline: {len(taken)} key role(s) recorded")
        problems = unexplained_key_roles()
        for problem in problems:
            self.stdout.write(
                f"account {problem.user_id} ({problem.username}): {problem.role}: {problem.reason}"
            )
        if problems:
            raise CommandError(f"{len(problems)} key role(s) not explained by the audit trail")
        self.stdout.write("every key role is explained by the audit trail")
