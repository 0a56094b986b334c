"""Bad input gets a calm, translated answer, never a bare 500 or a false outage (issue 15)."""

import re

from django.db import DataError, connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from amparo.core.tests.test_errors import home_fails_with
from amparo.tests.base import AmparoTestCase

FORM = "application/x-www-form-urlencoded"


class FormCharsetTests(TestCase):
    def post_in(self, charset: str, language: str = "fr") -> object:
        client = self.client_class(enforce_csrf_checks=True, raise_request_exception=True)
        page = client.get(f"/{language}/staff/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        assert token is not None
        body = f"csrfmiddlewaretoken={token.group(1)}&username=\xe9&password=x"
        return client.generic(
            "POST",
            f"/{language}/staff/login/",
            body.encode("latin-1"),
            content_type=f"{FORM}; charset={charset}",
        )

    def test_a_form_in_another_charset_gets_a_translated_400(self) -> None:
        for charset in ("latin-1", "utf-16", "windows-1252"):
            with self.subTest(charset=charset):
                response = self.post_in(charset)
                self.assertEqual(response.status_code, 400)  # type: ignore[attr-defined]
                with translation.override("fr"):
                    heading = translation.gettext("Bad request")
                self.assertContains(response, heading, status_code=400)  # type: ignore[arg-type]

    def test_utf8_forms_are_still_read(self) -> None:
        response = self.post_in("utf-8")
        self.assertEqual(response.status_code, 200)  # type: ignore[attr-defined]


class ControlCharacterTests(AmparoTestCase):
    def test_a_nul_byte_in_an_id_is_a_404_before_any_query(self) -> None:
        self.sign_in(self.coordinator)
        for path in ("/en/staff/cases/%00/", "/en/follow-up/files/%00/", "/en/staff/cases/a%0Ab/"):
            with (
                self.subTest(path=path),
                self.assertNoLogs("amparo", level="ERROR"),
                CaptureQueriesContext(connection) as queries,
            ):
                response = self.client.get(path)
            self.assertEqual(response.status_code, 404)
            # Only the session's own bookkeeping: no query ever carried the id.
            tables = " ".join(query["sql"] for query in queries.captured_queries)
            self.assertNotIn("cases_", tables)
            self.assertNotIn("\x00", tables)

    def test_a_data_error_is_a_bad_request_not_an_outage(self) -> None:
        with (
            home_fails_with(DataError("value 'secret\\x00' refused")),
            self.assertNoLogs("amparo", level="ERROR"),
            self.assertLogs("amparo", level="WARNING") as logs,
        ):
            response = self.client.get("/es/")
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("secret", "\n".join(logs.output))


class HeadTests(TestCase):
    def test_head_is_allowed_on_healthz(self) -> None:
        response = self.client.head("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")


class DisallowedHostTests(TestCase):
    def test_a_bad_host_is_logged_in_one_line_without_its_value(self) -> None:
        with self.assertLogs("django.security.DisallowedHost", level="WARNING") as logs:
            response = self.client.get("/en/", HTTP_HOST="attacker-chosen.example")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(len(logs.records), 1)
        record = logs.records[0]
        self.assertEqual(record.levelname, "WARNING")
        self.assertIsNone(record.exc_info)
        self.assertNotIn("attacker-chosen", record.getMessage())


class PublicHeadTests(TestCase):
    def test_the_sign_in_and_recovery_pages_answer_head(self) -> None:
        for path in ("/en/staff/login/", "/fr/staff/recover/", "/es/staff/enrol/"):
            with self.subTest(path=path):
                response = self.client.head(path)
                self.assertIn(response.status_code, (200, 404))  # enrol: no invitation
                self.assertNotEqual(response.status_code, 405)
