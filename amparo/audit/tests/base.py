from __future__ import annotations

from django.db import connection, transaction
from django.test import TestCase

from amparo.accounts.models import User
from amparo.audit import guard


class AuditTestCase(TestCase):
    """Personas for the audit tests: a coordinator, a handler, an analyst."""

    coordinator: User
    handler: User
    analyst: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.coordinator = User.objects.create_user("coord", password="x", is_coordinator=True)
        cls.handler = User.objects.create_user("hana", password="x", is_handler=True)
        cls.analyst = User.objects.create_user("ana", password="x", is_analyst=True)

    def tamper(self, sql: str, params: list[object] | None = None) -> None:
        """Play an attacker who owns the database: lift the triggers, run ``sql``.

        The test's transaction rolls the trigger change back afterwards.
        """
        with transaction.atomic():
            guard.lift(connection)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
