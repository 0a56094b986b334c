from django.http import HttpRequest, HttpResponse
from django.test import TestCase

from amparo.core.cookie_vault import CookieVault, VaultEmpty

VAULT = CookieVault(cookie_name="test_vault", session_field="test_vault_blob")


class CookieVaultTests(TestCase):
    def request(self) -> HttpRequest:
        from django.contrib.sessions.backends.db import SessionStore

        request = HttpRequest()
        request.session = SessionStore()
        return request

    def test_it_gives_back_the_secret_with_both_halves(self) -> None:
        request, response = self.request(), HttpResponse()
        VAULT.put(request, response, b"s" * 32, context="ctx")
        request.COOKIES["test_vault"] = response.cookies["test_vault"].value
        self.assertEqual(VAULT.get(request, context="ctx"), b"s" * 32)
        self.assertTrue(VAULT.holds(request))
        # The session half alone is ciphertext: the secret is not in it.
        self.assertNotIn("c3Nzc3Nz", request.session["test_vault_blob"])
        cookie = response.cookies["test_vault"]
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Strict")

    def test_it_refuses_without_the_cookie_or_with_another_context(self) -> None:
        request, response = self.request(), HttpResponse()
        VAULT.put(request, response, b"s" * 32, context="ctx")
        with self.assertRaises(VaultEmpty):
            VAULT.get(request, context="ctx")
        request.COOKIES["test_vault"] = response.cookies["test_vault"].value
        with self.assertRaises(VaultEmpty):
            VAULT.get(request, context="other")
        request.COOKIES["test_vault"] = "not base64 at all!"
        with self.assertRaises(VaultEmpty):
            VAULT.get(request, context="ctx")
