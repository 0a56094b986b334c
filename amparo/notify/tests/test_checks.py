"""Warnings for a production installation whose mail settings would leak or fail."""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings

from amparo.notify.checks import notification_settings

GOOD = {
    "PRODUCTION": True,
    "AMPARO_BASE_URL": "https://desk.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "EMAIL_USE_TLS": True,
    "DEFAULT_FROM_EMAIL": "desk@example.org",
}


class ChecksTests(SimpleTestCase):
    def ids(self, **changes: object) -> list[str]:
        with override_settings(**{**GOOD, **changes}):
            return [message.id or "" for message in notification_settings()]

    def test_it_accepts_good_settings(self) -> None:
        self.assertEqual(self.ids(), [])
        self.assertEqual(self.ids(EMAIL_HOST="localhost", EMAIL_USE_TLS=False), [])
        self.assertEqual(self.ids(AMPARO_BASE_URL="http://abcdefgh.onion"), [])

    def test_it_warns_of_a_plain_http_link(self) -> None:
        self.assertEqual(self.ids(AMPARO_BASE_URL="http://desk.example.org"), ["notify.W001"])

    def test_it_warns_of_smtp_without_tls_to_another_machine(self) -> None:
        self.assertEqual(self.ids(EMAIL_USE_TLS=False), ["notify.W002"])

    def test_it_warns_of_the_default_sender(self) -> None:
        self.assertEqual(self.ids(DEFAULT_FROM_EMAIL="amparo@localhost"), ["notify.W003"])

    def test_it_says_nothing_outside_production(self) -> None:
        self.assertEqual(self.ids(PRODUCTION=False, AMPARO_BASE_URL="http://x"), [])
