"""The whole Content-Security-Policy, on every kind of page.

The policy is written out here in full, apart from settings.py, so that any
loosening (``form-action *``, ``img-src data:``, a dropped ``base-uri`` or
``object-src``) fails a test. Decrypted files have their own, stricter policy:
see amparo/core/tests/test_file_response.py.
"""

from __future__ import annotations

from typing import Any

from django.db import OperationalError
from django.http import HttpResponseBase
from django.test import override_settings

from amparo.core.tests.test_errors import home_fails_with
from amparo.tests.base import AmparoTestCase, make_reporter

PAGE_POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
    "manifest-src": ["'self'"],
}


def policy(response: HttpResponseBase) -> dict[str, list[str]]:
    """The response's policy as directive -> sources; a repeated directive fails."""
    assert "Content-Security-Policy-Report-Only" not in response.headers
    parsed: dict[str, list[str]] = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        assert name not in parsed, f"directive {name} given twice"
        parsed[name] = sources
    return parsed


class PagePolicyTests(AmparoTestCase):
    def assertPagePolicy(self, response: Any, status: int = 200) -> None:
        self.assertEqual(response.status_code, status)
        self.assertEqual(policy(response), PAGE_POLICY)

    def test_the_policy_parser_sees_a_loosened_policy(self) -> None:
        response = self.client.get("/en/")
        response.headers["Content-Security-Policy"] += "; form-action *"
        with self.assertRaises(AssertionError):
            policy(response)

    def test_public_pages(self) -> None:
        for url in ("/en/", "/ar/report/", "/en/danger/", "/en/follow-up/", "/en/report/thanks/"):
            with self.subTest(url=url):
                self.assertPagePolicy(self.client.get(url))

    def test_the_reporters_own_pages(self) -> None:
        reporter = make_reporter()
        response = self.client.post("/en/follow-up/", {"receipt": reporter.receipt})
        self.assertEqual(response.status_code, 302)
        self.assertPagePolicy(response, 302)
        self.assertPagePolicy(self.client.get("/en/follow-up/report/"))

    def test_staff_pages(self) -> None:
        self.assertPagePolicy(self.client.get("/en/staff/login/"))
        self.sign_in(self.coordinator)
        for url in (
            "/en/staff/",
            "/en/staff/cases/",
            "/en/staff/cases/search/",
            "/en/staff/audit/",
            "/en/staff/people/",
        ):
            with self.subTest(url=url):
                self.assertPagePolicy(self.client.get(url))

    def test_redirects_and_refusals(self) -> None:
        self.assertPagePolicy(self.client.get("/en/staff/cases/"), 302)
        self.sign_in(self.analyst)
        self.assertPagePolicy(self.client.get("/en/staff/cases/"), 403)

    def test_error_pages(self) -> None:
        self.assertPagePolicy(self.client.get("/en/no-such-page/"), 404)
        self.assertPagePolicy(self.client.post("/en/report/thanks/"), 405)
        csrf_client = self.client_class(enforce_csrf_checks=True)
        self.assertPagePolicy(csrf_client.post("/en/staff/login/", {"username": "a"}), 403)
        with home_fails_with(OperationalError("down")), self.assertLogs("amparo", "ERROR"):
            self.assertPagePolicy(self.client.get("/en/"), 503)

    @override_settings(DEBUG=False)
    def test_the_server_error_page(self) -> None:
        self.client.raise_request_exception = False
        with home_fails_with(ValueError("boom")), self.assertLogs("django.request", "ERROR"):
            self.assertPagePolicy(self.client.get("/en/"), 500)

    def test_a_bad_request(self) -> None:
        with self.assertLogs("django.security", "WARNING"):
            response = self.client.get("/en/", HTTP_HOST="elsewhere.example")
        self.assertPagePolicy(response, 400)
