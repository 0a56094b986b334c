"""Attempt limits that slow attackers without locking out the owner or flooding the trail."""

from __future__ import annotations

import time
from unittest import mock

from django.test import Client

from amparo.accounts import attempts, devices, keyring
from amparo.accounts.models import User
from amparo.audit.models import AuditEvent
from amparo.tests.base import AmparoTestCase

LOGIN = "/en/staff/login/"
NEW_PASSWORD = "a brand new passphrase 9"


class MidWindowTestCase(AmparoTestCase):
    """Attempt counters live in fixed 15-minute windows: hold the clock in the
    middle of the current one, so a test never straddles two (the codes the
    personas compute follow the same clock)."""

    def setUp(self) -> None:
        super().setUp()
        window = attempts.WINDOW_SECONDS
        self.now = (time.time() // window) * window + window / 2
        patcher = mock.patch.object(time, "time", lambda: self.now)
        patcher.start()
        self.addCleanup(patcher.stop)


class TargetedLockoutTests(MidWindowTestCase):
    def post(self, client: Client, password: str, code: str):  # type: ignore[no-untyped-def]
        return client.post(LOGIN, {"username": "handler", "password": password, "code": code})

    def test_the_owners_browser_still_signs_in_while_others_hammer_the_account(self) -> None:
        h = self.handler
        owner = Client()
        self.assertEqual(self.post(owner, h.password, h.code()).status_code, 302)
        self.assertIn(devices.COOKIE_NAME, owner.cookies)
        owner.post("/en/staff/logout/")

        attacker = Client()
        for _ in range(8):
            self.post(attacker, "not the password!", "123456")
        self.assertContains(self.post(attacker, h.password, h.code()), "Too many attempts")

        # Before: five wrong passwords locked the owner out too, right code or not.
        # (A later time step, as a real second sign-in would have: each code is single-use.)
        User.objects.filter(pk=h.user.pk).update(totp_last_step=0)
        response = self.post(owner, h.password, h.code())
        self.assertEqual(response.status_code, 302)
        self.assertIn(keyring.COOKIE_NAME, response.cookies)

    def test_a_device_cookie_is_bound_to_its_account(self) -> None:
        h, c = self.handler, self.coordinator
        owner = Client()
        self.post(owner, h.password, h.code())
        cookie = owner.cookies[devices.COOKIE_NAME].value
        for _ in range(5):
            Client().post(LOGIN, {"username": "coordinator", "password": "wrong!", "code": "1"})
        # The handler's cookie does not exempt anyone from the coordinator's limit,
        # and a forged one is ignored.
        for value in [cookie, "forged.0000"]:
            other = Client()
            other.cookies[devices.COOKIE_NAME] = value
            response = other.post(
                LOGIN, {"username": "coordinator", "password": c.password, "code": c.code()}
            )
            self.assertContains(response, "Too many attempts")

    def test_a_known_browser_has_its_own_limit(self) -> None:
        h = self.handler
        owner = Client()
        self.post(owner, h.password, h.code())
        owner.post("/en/staff/logout/")
        for _ in range(5):
            self.post(owner, "not the password!", "123456")
        self.assertContains(self.post(owner, h.password, h.code()), "Too many attempts")

    def test_the_recovery_key_opens_the_way_back_while_the_account_is_locked(self) -> None:
        h = self.handler
        for _ in range(6):
            self.post(Client(), "not the password!", "123456")
        newcomer = Client()
        self.assertContains(self.post(newcomer, h.password, h.code()), "Too many attempts")
        form = {
            "username": "handler",
            "recovery_key": h.recovery_key,
            "code": h.code(),
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        }
        # Before: recovery shared the sign-in limit and was refused as well.
        response = newcomer.post("/en/staff/recover/", form)
        self.assertEqual(response.status_code, 200)
        self.assertIn(devices.COOKIE_NAME, response.cookies)
        self.assertNotContains(response, "Too many attempts")


class AggregatedAuditTests(MidWindowTestCase):
    def test_held_back_attempts_write_one_event_per_window(self) -> None:
        client = Client()
        for _ in range(40):
            client.post(LOGIN, {"username": "handler", "password": "wrong!", "code": "1"})
        for name in ["nobody-1", "nobody-2", "nobody-3"]:
            client.post(LOGIN, {"username": name, "password": "wrong!", "code": "1"})
        # Before: one event per attempt (43); now five failures against the
        # account, one event for the held-back ones and one for unknown names.
        self.assertEqual(AuditEvent.objects.filter(action="login_throttled").count(), 1)
        self.assertEqual(
            AuditEvent.objects.filter(action="login_failed", actor_id=self.handler.user.pk).count(),
            5,
        )
        self.assertLessEqual(AuditEvent.objects.filter(action__startswith="login").count(), 7)

        # The next window's first event carries this window's total.
        self.now += attempts.WINDOW_SECONDS
        client.post(LOGIN, {"username": "nobody-4", "password": "wrong!", "code": "1"})
        latest = AuditEvent.objects.filter(details__aggregated="unknown_account").order_by("seq")
        self.assertEqual([e.details["previous_window_count"] for e in latest], [0, 3])


class PasswordChangeThrottleTests(MidWindowTestCase):
    def test_it_limits_guesses_of_the_current_password(self) -> None:
        h = self.handler
        self.sign_in(h)
        data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        for _ in range(5):
            response = self.client.post("/en/staff/password/", {**data, "old_password": "guess!"})
            self.assertContains(response, "current password is not right")
        # Before: unlimited; now even the right one is not checked for a while.
        response = self.client.post("/en/staff/password/", {**data, "old_password": h.password})
        self.assertContains(response, "Too many attempts")
        h.user.refresh_from_db()
        self.assertTrue(h.user.check_password(h.password))
        self.assertEqual(
            AuditEvent.objects.filter(
                action="login_failed", details__reason="password_change"
            ).count(),
            5,
        )
