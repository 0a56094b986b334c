"""verify_roles on an installation upgraded from before enrolments recorded roles."""

from __future__ import annotations

import io

from django.core.management import CommandError, call_command

from amparo.accounts.models import User
from amparo.audit.log import record, verify
from amparo.audit.models import AuditEvent
from amparo.tests.base import AmparoTestCase


class BaselineTests(AmparoTestCase):
    def setUp(self) -> None:
        # As an older version enrolled: the event names no roles.
        self.veteran = User.objects.create(username="veteran", is_coordinator=True)
        record(self.veteran, "enrolled", target_type="user", target_id=str(self.veteran.pk))

    def run_command(self, *args: str) -> str:
        out = io.StringIO()
        call_command("verify_roles", *args, stdout=out)
        return out.getvalue()

    def test_without_a_baseline_it_names_the_older_accounts(self) -> None:
        out = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("verify_roles", stdout=out)
        self.assertIn("(veteran): coordinator: enrolled before roles were recorded", out.getvalue())

    def test_a_baseline_explains_them_once_and_only_them(self) -> None:
        # A role written straight into the database on an account whose
        # enrolment recorded its roles is not absorbed by the baseline.
        User.objects.filter(pk=self.analyst.user.pk).update(is_coordinator=True)
        out = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("verify_roles", "--baseline", stdout=out)
        self.assertIn("(veteran): coordinator: baseline recorded", out.getvalue())
        self.assertIn("(analyst): coordinator: no event grants it", out.getvalue())
        self.assertNotIn("veteran): coordinator: enrolled before", out.getvalue())
        event = AuditEvent.objects.filter(action="roles_changed").get()
        self.assertEqual(
            (event.actor_id, event.target_id, event.details),
            (None, str(self.veteran.pk), {"baseline": ["coordinator"]}),
        )
        self.assertTrue(verify().ok)

        # Once the analyst's role is gone, the check passes.
        User.objects.filter(pk=self.analyst.user.pk).update(is_coordinator=False)
        self.assertIn("every key role is explained", self.run_command())

        # A role written later on a baselined account is caught, and a second
        # baseline, which would absorb it, is refused.
        User.objects.filter(pk=self.veteran.pk).update(is_handler=True)
        out = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("verify_roles", stdout=out)
        self.assertIn("(veteran): handler: no event grants it", out.getvalue())
        with self.assertRaisesMessage(CommandError, "a baseline was taken on"):
            self.run_command("--baseline")
        self.assertEqual(AuditEvent.objects.filter(action="roles_changed").count(), 1)
