"""A crash in the middle of enrolment or a password change leaves the
previous state usable: each is one transaction."""

from __future__ import annotations

from unittest import mock

from amparo.accounts import totp
from amparo.accounts.actions import do_change_password, do_enrol, do_invite
from amparo.accounts.models import Invitation, Role, User
from amparo.crypto import generate_recovery_key, unwrap_with_password
from amparo.tests.base import AmparoTestCase


class Crash(Exception):
    pass


class CrashSafetyTests(AmparoTestCase):
    def test_it_leaves_no_half_enrolled_account(self) -> None:
        invitation, _token = do_invite(None, "newcomer", [Role.HANDLER])
        with (
            mock.patch("amparo.accounts.actions.record", side_effect=Crash),
            self.assertRaises(Crash),
        ):
            do_enrol(
                invitation,
                password="a long enough passphrase",
                recovery_key=generate_recovery_key(),
                totp_secret=totp.generate_secret(),
            )
        self.assertFalse(User.objects.filter(username="newcomer").exists())
        self.assertIsNone(Invitation.objects.get(pk=invitation.pk).used_at)

    def test_it_keeps_the_old_password_working_after_a_crash(self) -> None:
        h = self.handler
        with (
            mock.patch("amparo.accounts.actions.record", side_effect=Crash),
            self.assertRaises(Crash),
        ):
            do_change_password(h.user, h.private_key(), "a brand new passphrase")
        user = User.objects.get(pk=h.user.pk)
        self.assertTrue(user.check_password(h.password))
        unwrap_with_password(bytes(user.private_key_by_password), h.password)
