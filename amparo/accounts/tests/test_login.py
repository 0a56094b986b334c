from __future__ import annotations

import base64

from django.contrib.sessions.models import Session
from django.utils import translation

from amparo.accounts import keyring
from amparo.audit.models import AuditEvent
from amparo.tests.base import AmparoTestCase

LOGIN = "/en/staff/login/"


class LoginTests(AmparoTestCase):
    def post(self, username: str, password: str, code: str, path: str = LOGIN):  # type: ignore[no-untyped-def]
        return self.client.post(path, {"username": username, "password": password, "code": code})

    def test_it_signs_in_with_password_and_code(self) -> None:
        h = self.handler
        response = self.post("handler", h.password, h.code())
        self.assertRedirects(response, "/en/staff/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/en/staff/").status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(action="login", actor_id=h.user.pk).exists())

    def test_it_keeps_only_ciphertext_of_the_private_key_in_the_session(self) -> None:
        h = self.handler
        self.post("handler", h.password, h.code())
        private = h.private_key()
        encodings = [private, base64.b64encode(private), base64.urlsafe_b64encode(private)]
        for session in Session.objects.all():
            raw = session.session_data.encode()
            for encoded in encodings:
                self.assertNotIn(encoded, raw)
            decoded = repr(session.get_decoded()).encode()
            for encoded in encodings:
                self.assertNotIn(encoded, decoded)
        # ...and the key cookie alone is not the private key either.
        cookie = self.client.cookies[keyring.COOKIE_NAME].value.encode()
        self.assertNotIn(base64.urlsafe_b64encode(private), cookie)

    def test_it_gives_one_message_for_every_kind_of_failure(self) -> None:
        h = self.handler
        with translation.override("en"):
            message = "The username, password or security code is not right."
        cases = [
            ("handler", "wrong password here", h.code()),
            ("handler", h.password, "000000" if h.code() != "000000" else "111111"),
            ("nobody-like-this", h.password, h.code()),
            ("handler", h.password, "abc"),
        ]
        for username, password, code in cases:
            response = self.post(username, password, code)
            self.assertContains(response, message, msg_prefix=f"{username}/{code}")
            self.assertNotIn(keyring.COOKIE_NAME, response.cookies)
        # Three against the account, one by one; the unknown name is counted in
        # the window's single aggregate event.
        self.assertEqual(
            AuditEvent.objects.filter(action="login_failed", actor_id=h.user.pk).count(), 3
        )
        self.assertEqual(
            AuditEvent.objects.filter(
                action="login_failed", details__aggregated="unknown_account"
            ).count(),
            1,
        )

    def test_it_refuses_a_replayed_code(self) -> None:
        h = self.handler
        code = h.code()
        self.assertEqual(self.post("handler", h.password, code).status_code, 302)
        self.client.logout()
        response = self.post("handler", h.password, code)
        self.assertContains(response, "security code is not right")

    def test_it_throttles_an_account_after_repeated_failures(self) -> None:
        h = self.handler
        for _ in range(5):
            self.post("handler", "not the password!", h.code())
        response = self.post("handler", h.password, h.code())
        self.assertContains(response, "Too many attempts")
        self.assertNotIn(keyring.COOKIE_NAME, response.cookies)
        # Other accounts are unaffected.
        c = self.coordinator
        self.assertEqual(self.post("coordinator", c.password, c.code()).status_code, 302)

    def test_it_translates_the_failure_message(self) -> None:
        response = self.post("nobody", "x" * 12, "123456", path="/fr/staff/login/")
        with translation.override("fr"):
            message = translation.gettext("The username, password or security code is not right.")
        self.assertNotEqual(message, "The username, password or security code is not right.")
        self.assertContains(response, message)

    def test_it_makes_the_key_unrecoverable_on_logout(self) -> None:
        h = self.handler
        self.post("handler", h.password, h.code())
        session_key = self.client.session.session_key
        response = self.client.post("/en/staff/logout/")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response.cookies[keyring.COOKIE_NAME].value, "")
        self.assertFalse(Session.objects.filter(session_key=session_key).exists())
        self.assertEqual(self.client.get("/en/staff/").status_code, 302)

    def test_it_ignores_an_offsite_next_parameter(self) -> None:
        h = self.handler
        response = self.client.post(
            LOGIN + "?next=https://evil.example/",
            {"username": "handler", "password": h.password, "code": h.code()},
        )
        self.assertRedirects(response, "/en/staff/", fetch_redirect_response=False)


class KeySubstitutionTests(AmparoTestCase):
    def test_it_refuses_sign_in_when_the_stored_public_key_was_swapped(self) -> None:
        from amparo.accounts.models import User
        from amparo.crypto import generate_keypair

        h = self.handler
        User.objects.filter(pk=h.user.pk).update(public_key=generate_keypair().public)
        with self.assertLogs("amparo.accounts", level="CRITICAL"):
            response = self.client.post(
                LOGIN, {"username": "handler", "password": h.password, "code": h.code()}
            )
        self.assertContains(response, "security code is not right")
        self.assertTrue(
            AuditEvent.objects.filter(
                action="login_failed", details__reason="public_key_mismatch"
            ).exists()
        )
