from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.test import override_settings
from django.utils import timezone

from amparo.accounts import keyring
from amparo.tests.base import AmparoTestCase


class KeyringTests(AmparoTestCase):
    def request_for_client(self) -> HttpRequest:
        request = HttpRequest()
        request.session = self.client.session
        request.user = self.handler.user
        request.COOKIES = {k: v.value for k, v in self.client.cookies.items()}
        return request

    def test_it_returns_the_private_key_with_session_and_cookie(self) -> None:
        self.sign_in(self.handler)
        self.assertEqual(keyring.private_key(self.request_for_client()), self.handler.private_key())

    def test_it_refuses_without_the_cookie(self) -> None:
        self.sign_in(self.handler)
        request = self.request_for_client()
        del request.COOKIES[keyring.COOKIE_NAME]
        with self.assertRaises(keyring.KeyUnavailable):
            keyring.private_key(request)

    def test_it_refuses_a_cookie_from_another_session(self) -> None:
        self.sign_in(self.handler)
        stolen = self.client.cookies[keyring.COOKIE_NAME].value
        self.sign_in(self.handler)  # a new session with a new cookie key
        request = self.request_for_client()
        request.COOKIES[keyring.COOKIE_NAME] = stolen
        with self.assertRaises(keyring.KeyUnavailable):
            keyring.private_key(request)

    def test_it_refuses_a_blob_moved_to_another_account(self) -> None:
        self.sign_in(self.handler)
        request = self.request_for_client()
        request.user = self.outsider.user
        with self.assertRaises(keyring.KeyUnavailable):
            keyring.private_key(request)

    @override_settings(SESSION_COOKIE_AGE=60)
    def test_it_loses_the_key_when_the_session_idles_out(self) -> None:
        self.sign_in(self.handler)
        Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
        response = self.client.get("/en/staff/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/staff/login/", response["Location"])
