from __future__ import annotations

import io

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from amparo.accounts.models import User


class DemoDeskTests(TestCase):
    def test_it_creates_the_demo_staff_once_and_prints_how_to_sign_in(self) -> None:
        first, second = io.StringIO(), io.StringIO()
        call_command("seed_demo_desk", stdout=first)
        call_command("seed_demo_desk", stdout=second)
        self.assertEqual(User.objects.count(), 4)
        self.assertTrue(all(user.has_keys() for user in User.objects.all()))
        for output in (first.getvalue(), second.getvalue()):
            self.assertIn("/en/staff/login/", output)
            self.assertIn("TOTP key:", output)
            self.assertIn("DEMO ONLY", output)

    @override_settings(PRODUCTION=True)
    def test_it_refuses_in_production(self) -> None:
        with self.assertRaises(CommandError):
            call_command("seed_demo_desk", stdout=io.StringIO())
        self.assertEqual(User.objects.count(), 0)
