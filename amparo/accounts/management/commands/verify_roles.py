"""``manage.py verify_roles``: every handler and coordinator role, explained by the trail."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from amparo.accounts.roles_check import unexplained_key_roles
from amparo.audit.log import verify


class Command(BaseCommand):
    help = (
        "Check that every active handler and coordinator got the role through an event of "
        "the audit trail (an enrolment or a confirmed grant). Run verify_audit first; exits "
        "non-zero and lists the accounts otherwise."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify()
        if not verdict.ok:
            raise CommandError(
                f"the audit trail does not verify ({verdict.problem}): fix that first"
            )
        problems = unexplained_key_roles()
        for problem in problems:
            self.stdout.write(
                f"account {problem.user_id} ({problem.username}): {problem.role}: {problem.reason}"
            )
        if problems:
            raise CommandError(f"{len(problems)} key role(s) not explained by the audit trail")
        self.stdout.write("every key role is explained by the audit trail")
