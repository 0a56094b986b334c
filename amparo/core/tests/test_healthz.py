from unittest import mock

from django.db import OperationalError
from django.test import TestCase


class HealthzTests(TestCase):
    def test_it_answers_ok_when_the_database_answers(self) -> None:
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok\n")

    def test_it_answers_503_and_nothing_else_when_the_database_is_down(self) -> None:
        with mock.patch(
            "amparo.core.views.connection.cursor", side_effect=OperationalError("db at 10.0.0.5")
        ):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content, b"unavailable\n")

    def test_it_is_not_cached(self) -> None:
        response = self.client.get("/healthz")
        self.assertIn("no-cache", response.headers["Cache-Control"])
