from __future__ import annotations

import re
from datetime import timedelta

from django.core import signing
from django.utils import timezone

from amparo.accounts import totp
from amparo.accounts.actions import do_invite
from amparo.accounts.models import Invitation, Role, StaffChange, User
from amparo.audit.models import AuditEvent
from amparo.crypto import unwrap_with_password, unwrap_with_recovery_key
from amparo.tests.base import AmparoTestCase

NEW_PASSWORD = "a sturdy new passphrase 42"


class EnrolTests(AmparoTestCase):
    def setUp(self) -> None:
        self.invitation, self.token = do_invite(self.administrator.user, "newcomer", [Role.HANDLER])
        self.link = f"/en/staff/enrol/{self.token}/"
        self.url = "/en/staff/enrol/"

    def open_page(self) -> dict[str, str]:
        self.assertRedirects(self.client.get(self.link), self.url, fetch_redirect_response=False)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn("<svg", body)  # QR code drawn on the server
        state = re.search(r'name="state" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
        recovery = re.search(r'id="recovery-key">([^<]+)<', body).group(1)  # type: ignore[union-attr]
        secret = re.search(r'id="totp-secret">([^<]+)<', body).group(1)  # type: ignore[union-attr]
        return {"state": state, "recovery": recovery, "secret": secret}

    def submit(self, page: dict[str, str], **overrides: str):  # type: ignore[no-untyped-def]
        data = {
            "state": page["state"],
            "recovery_key_confirmation": page["recovery"].replace("-", " ").lower(),
            "code": totp.current_code(totp.from_base32(page["secret"])),
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        }
        data.update(overrides)
        return self.client.post(self.url, data)

    def test_it_enrols_with_keys_and_second_factor(self) -> None:
        page = self.open_page()
        response = self.submit(page)
        self.assertRedirects(response, "/en/staff/login/", fetch_redirect_response=False)
        user = User.objects.get(username="newcomer")
        # An administrator's invitation: the handler role waits for a coordinator.
        self.assertFalse(user.is_handler or user.is_coordinator)
        waiting = StaffChange.objects.get(subject=user, state="pending")
        self.assertEqual((waiting.kind, waiting.roles), ("grant_roles", ["handler"]))
        self.assertEqual(waiting.requested_by, self.administrator.user)
        by_password = unwrap_with_password(bytes(user.private_key_by_password), NEW_PASSWORD)
        by_recovery = unwrap_with_recovery_key(
            bytes(user.private_key_by_recovery), page["recovery"]
        )
        self.assertEqual(by_password, by_recovery)
        # The TOTP secret is not stored readable.
        self.assertNotIn(totp.from_base32(page["secret"]), bytes(user.totp_secret_sealed))
        self.assertIsNotNone(Invitation.objects.get(pk=self.invitation.pk).used_at)
        self.assertTrue(AuditEvent.objects.filter(action="enrolled", actor_id=user.pk).exists())
        # The code that confirmed the authenticator cannot sign in too.
        secret = totp.from_base32(page["secret"])
        login = self.client.post(
            "/en/staff/login/",
            {"username": "newcomer", "password": NEW_PASSWORD, "code": totp.current_code(secret)},
        )
        self.assertEqual(login.status_code, 200)

    def test_it_requires_the_recovery_key_to_be_copied(self) -> None:
        page = self.open_page()
        other = "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345"
        response = self.submit(page, recovery_key_confirmation=other)
        self.assertContains(response, "does not match the recovery key")
        self.assertFalse(User.objects.filter(username="newcomer").exists())

    def test_it_rejects_a_malformed_recovery_key(self) -> None:
        response = self.submit(self.open_page(), recovery_key_confirmation="hello")
        self.assertContains(response, "not a valid recovery key")

    def test_it_rejects_a_wrong_code(self) -> None:
        page = self.open_page()
        right = totp.current_code(totp.from_base32(page["secret"]))
        response = self.submit(page, code="000000" if right != "000000" else "111111")
        self.assertContains(response, "This code is not right")
        self.assertFalse(User.objects.filter(username="newcomer").exists())

    def test_it_rejects_weak_passwords(self) -> None:
        page = self.open_page()
        for weak in ["short pw", "password1234", "newcomer2026"]:
            response = self.submit(page, new_password1=weak, new_password2=weak)
            self.assertEqual(response.status_code, 200, weak)
            self.assertTrue(response.context["form"].errors.get("new_password1"), weak)
        self.assertFalse(User.objects.filter(username="newcomer").exists())

    def test_it_rejects_a_tampered_state(self) -> None:
        page = self.open_page()
        forged = signing.dumps(
            {"invitation": self.invitation.pk, "recovery_key": page["recovery"], "totp": "A" * 32},
            salt="another-salt",
        )
        response = self.submit(page, state=forged)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], self.url)
        self.assertFalse(User.objects.filter(username="newcomer").exists())

    def test_it_refuses_an_expired_invitation(self) -> None:
        Invitation.objects.filter(pk=self.invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        response = self.client.get(self.link)
        self.assertContains(response, "may have expired or been used", status_code=404)

    def test_it_refuses_a_used_invitation(self) -> None:
        page = self.open_page()
        self.submit(page)
        response = self.submit(page)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(User.objects.filter(username="newcomer").count(), 1)

    def test_it_refuses_an_unknown_token(self) -> None:
        response = self.client.get("/en/staff/enrol/not-a-token/")
        self.assertEqual(response.status_code, 404)


class EnrolmentTokenTests(AmparoTestCase):
    """The token leaves the URL after the first visit (issue 15): logs keep URLs."""

    def setUp(self) -> None:
        _invitation, self.token = do_invite(self.administrator.user, "newcomer", [Role.HANDLER])

    def test_the_link_moves_the_token_into_a_cookie_and_out_of_the_url(self) -> None:
        response = self.client.get(f"/fr/staff/enrol/{self.token}/")
        self.assertRedirects(response, "/fr/staff/enrol/", fetch_redirect_response=False)
        cookie = response.cookies["amparo_enrol"]
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Lax")
        page = self.client.get("/fr/staff/enrol/")
        self.assertEqual(page.status_code, 200)
        body = page.content.decode()
        self.assertNotIn(self.token, body)  # not in the form's action, nor anywhere
        self.assertIn('id="recovery-key"', body)

    def test_the_page_without_the_cookie_is_the_invalid_invitation_page(self) -> None:
        response = self.client.get("/en/staff/enrol/")
        self.assertContains(response, "may have expired or been used", status_code=404)

    def test_a_forged_cookie_opens_nothing(self) -> None:
        self.client.cookies["amparo_enrol"] = self.token  # unsigned
        self.assertEqual(self.client.get("/en/staff/enrol/").status_code, 404)

    def test_an_unknown_token_sets_no_cookie(self) -> None:
        response = self.client.get("/en/staff/enrol/not-a-token/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.cookies["amparo_enrol"].value, "")


class InvitationPageTests(AmparoTestCase):
    def test_it_lets_an_administrator_invite(self) -> None:
        self.sign_in(self.administrator)
        response = self.client.post(
            "/en/staff/invitations/", {"username": "fresh", "roles": ["handler", "analyst"]}
        )
        self.assertEqual(response.status_code, 200)
        link = re.search(r'id="invitation-link">([^<]+)<', response.content.decode()).group(1)  # type: ignore[union-attr]
        self.assertIn("/en/staff/enrol/", link)
        invitation = Invitation.objects.get(username="fresh")
        self.assertTrue(invitation.is_handler and invitation.is_analyst)
        self.assertNotIn(invitation.token_hash, link)
        # The token opens the enrolment page.
        path = link.split("testserver", 1)[1]
        self.assertEqual(self.client.get(path, follow=True).status_code, 200)

    def test_it_refuses_a_taken_username(self) -> None:
        self.sign_in(self.administrator)
        response = self.client.post(
            "/en/staff/invitations/", {"username": "handler", "roles": ["handler"]}
        )
        self.assertContains(response, "already in use")

    def test_it_is_only_for_administrators(self) -> None:
        for persona in [self.handler, self.coordinator, self.analyst]:
            self.sign_in(persona)
            self.assertEqual(self.client.get("/en/staff/invitations/").status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get("/en/staff/invitations/").status_code, 302)
