import io
import logging
from typing import Any
from unittest import mock

from django.db import OperationalError
from django.shortcuts import render
from django.test import TestCase, override_settings
from django.utils import translation


def home_fails_with(exception: Exception) -> Any:
    """Make the home view fail while rendering; error pages still render."""

    def failing_render(request: Any, template_name: str, *args: Any, **kwargs: Any) -> Any:
        if template_name == "intake/landing.html":
            raise exception
        return render(request, template_name, *args, **kwargs)

    # The home page is intake's landing view (amparo/intake/views/public.py).
    return mock.patch("amparo.intake.views.public.render", side_effect=failing_render)


class ErrorPageTests(TestCase):
    def test_it_shows_a_translated_503_when_the_database_is_down(self) -> None:
        with (
            home_fails_with(OperationalError("password=hunter2 at db")),
            self.assertLogs("amparo", level="ERROR") as logs,
        ):
            response = self.client.get("/fr/")
        self.assertEqual(response.status_code, 503)
        with translation.override("fr"):
            heading = translation.gettext("Service temporarily unavailable")
        self.assertContains(response, heading, status_code=503)
        self.assertNotContains(response, "hunter2", status_code=503)
        self.assertNotContains(response, "Traceback", status_code=503)
        self.assertNotIn("hunter2", "\n".join(logs.output))

    @override_settings(DEBUG=False)
    def test_it_shows_a_translated_500_without_internals(self) -> None:
        self.client.raise_request_exception = False
        with (
            home_fails_with(ValueError("secret detail")),
            self.assertLogs("django.request", level="ERROR"),
        ):
            response = self.client.get("/es/")
        self.assertEqual(response.status_code, 500)
        with translation.override("es"):
            heading = translation.gettext("Something went wrong")
        self.assertContains(response, heading, status_code=500)
        self.assertNotContains(response, "secret detail", status_code=500)
        self.assertNotContains(response, "Traceback", status_code=500)

    def test_it_shows_a_translated_page_for_a_missing_csrf_token(self) -> None:
        client = self.client_class(enforce_csrf_checks=True)
        response = client.post("/ar/staff/login/", {"username": "a", "password": "b"})
        self.assertEqual(response.status_code, 403)
        with translation.override("ar"):
            heading = translation.gettext("This form has expired")
        self.assertContains(response, heading, status_code=403)


class LoggingTests(TestCase):
    @override_settings(DEBUG=False)
    def test_it_never_logs_the_client_address_or_user_agent(self) -> None:
        # Swap the stream of the handlers that settings.LOGGING configured, so
        # the test reads exactly what an operator's log would contain.
        logger = logging.getLogger("django.request")
        stream = io.StringIO()
        handlers = [h for h in logger.handlers if isinstance(h, logging.StreamHandler)]
        self.assertTrue(handlers, "settings.LOGGING should give django.request a handler")
        previous = [h.setStream(stream) for h in handlers]
        self.client.raise_request_exception = False
        try:
            with home_fails_with(ValueError("boom")):
                response = self.client.get(
                    "/en/", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="AgentMarker/1"
                )
        finally:
            for handler, old in zip(handlers, previous, strict=True):
                handler.setStream(old)
        self.assertEqual(response.status_code, 500)
        output = stream.getvalue()
        self.assertIn("Internal Server Error", output)
        self.assertNotIn("203.0.113.77", output)
        self.assertNotIn("AgentMarker", output)


class MoreErrorPageTests(TestCase):
    def test_it_translates_the_403_page(self) -> None:
        from amparo.accounts.models import Role
        from amparo.tests.base import enrol_persona, sign_in

        persona = enrol_persona("analyst", [Role.ANALYST])
        sign_in(self.client, persona)
        response = self.client.get("/es/staff/invitations/")
        with translation.override("es"):
            heading = translation.gettext("Access denied")
        self.assertNotEqual(heading, "Access denied")
        self.assertContains(response, heading, status_code=403)

    def test_it_answers_a_bad_host_with_a_plain_400(self) -> None:
        response = self.client.get("/fr/", HTTP_HOST="evil.example")
        self.assertEqual(response.status_code, 400)
        with translation.override("fr"):
            heading = translation.gettext("Bad request")
        self.assertContains(response, heading, status_code=400)
