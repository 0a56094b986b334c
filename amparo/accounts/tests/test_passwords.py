from __future__ import annotations

import re

from amparo.audit.models import AuditEvent
from amparo.crypto import DecryptionError, unwrap_with_password
from amparo.tests.base import AmparoTestCase

NEW = "another long passphrase 77"


class PasswordChangeTests(AmparoTestCase):
    def test_it_rewraps_the_private_key(self) -> None:
        h = self.handler
        before = h.private_key()
        self.sign_in(h)
        response = self.client.post(
            "/en/staff/password/",
            {"old_password": h.password, "new_password1": NEW, "new_password2": NEW},
        )
        self.assertRedirects(response, "/en/staff/", fetch_redirect_response=False)
        h.user.refresh_from_db()
        self.assertEqual(unwrap_with_password(bytes(h.user.private_key_by_password), NEW), before)
        with self.assertRaises(DecryptionError):
            unwrap_with_password(bytes(h.user.private_key_by_password), h.password)
        self.assertTrue(h.user.check_password(NEW))
        self.assertTrue(AuditEvent.objects.filter(action="password_changed").exists())
        # Still signed in after the change.
        self.assertEqual(self.client.get("/en/staff/").status_code, 200)

    def test_it_changes_nothing_with_a_wrong_current_password(self) -> None:
        h = self.handler
        self.sign_in(h)
        blob = bytes(h.user.private_key_by_password)
        response = self.client.post(
            "/en/staff/password/",
            {"old_password": "not my password", "new_password1": NEW, "new_password2": NEW},
        )
        self.assertContains(response, "current password is not right")
        h.user.refresh_from_db()
        self.assertEqual(bytes(h.user.private_key_by_password), blob)


class RecoveryTests(AmparoTestCase):
    def recover(self, recovery_key: str, code: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            "/en/staff/recover/",
            {
                "username": "handler",
                "recovery_key": recovery_key,
                "code": code,
                "new_password1": NEW,
                "new_password2": NEW,
            },
        )

    def test_it_sets_a_new_password_and_issues_a_new_recovery_key(self) -> None:
        h = self.handler
        before = h.private_key()
        response = self.recover(h.recovery_key, h.code())
        self.assertEqual(response.status_code, 200)
        new_key = re.search(r'id="recovery-key">([^<]+)<', response.content.decode()).group(1)  # type: ignore[union-attr]
        self.assertNotEqual(new_key, h.recovery_key)
        h.user.refresh_from_db()
        self.assertEqual(unwrap_with_password(bytes(h.user.private_key_by_password), NEW), before)
        self.assertTrue(AuditEvent.objects.filter(action="recovery_used").exists())

    def test_it_refuses_a_recovery_key_used_before(self) -> None:
        h = self.handler
        self.recover(h.recovery_key, h.code())
        response = self.recover(h.recovery_key, h.code())
        self.assertContains(response, "A recovery key works only once")

    def test_it_refuses_a_malformed_recovery_key(self) -> None:
        response = self.recover("not-a-key", self.handler.code())
        self.assertContains(response, "not a valid recovery key")

    def test_it_refuses_a_wrong_code_and_changes_nothing(self) -> None:
        h = self.handler
        blob = bytes(h.user.private_key_by_password)
        wrong = "000000" if h.code() != "000000" else "111111"
        response = self.recover(h.recovery_key, wrong)
        self.assertContains(response, "recovery key or security code is not right")
        h.user.refresh_from_db()
        self.assertEqual(bytes(h.user.private_key_by_password), blob)
