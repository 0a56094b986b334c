from __future__ import annotations

from django.test import TestCase
from django.utils import translation

from amparo.accounts.models import User
from amparo.reference.loader import load_reference_data


class ReferenceTestCase(TestCase):
    """Personas: an administrator and a handler (who may not edit reference data)."""

    admin: User
    handler: User

    @classmethod
    def setUpTestData(cls) -> None:
        # The data migration loads the data, but a TransactionTestCase elsewhere
        # in the suite may have flushed the tables: load again (idempotent).
        load_reference_data()
        cls.admin = User.objects.create_user("admin", password="x", is_administrator=True)
        cls.handler = User.objects.create_user("hana", password="x", is_handler=True)

    def setUp(self) -> None:
        # A request through LocaleMiddleware leaves its language active in the
        # thread; start each test in English so that reverse() is predictable.
        translation.activate("en")
        self.addCleanup(translation.deactivate)
