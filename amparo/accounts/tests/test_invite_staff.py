from __future__ import annotations

import io

from django.core.management import CommandError, call_command
from django.test import TestCase

from amparo.accounts.models import Invitation


class InviteStaffCommandTests(TestCase):
    def test_it_prints_a_working_enrolment_link(self) -> None:
        out = io.StringIO()
        call_command("invite_staff", "first-admin", "--role", "administrator", stdout=out)
        link = out.getvalue().strip()
        self.assertIn("/en/staff/enrol/", link)
        invitation = Invitation.objects.get(username="first-admin")
        self.assertTrue(invitation.is_administrator)
        self.assertFalse(invitation.is_handler)
        path = link.split("127.0.0.1:8000", 1)[1]
        self.assertEqual(self.client.get(path, follow=True).status_code, 200)

    def test_it_refuses_a_bad_username(self) -> None:
        with self.assertRaises(CommandError):
            call_command("invite_staff", "no spaces!", "--role", "handler", stdout=io.StringIO())
        self.assertFalse(Invitation.objects.exists())
