"""Personas with e-mail addresses, and activity raised the way the real code raises it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import transaction

from amparo.accounts.models import User
from amparo.cases.actions.create import ConsentChoice, NewCase, do_create_case
from amparo.cases.models import Case, ConsentScope, Urgency
from amparo.cases.signals import case_activity
from amparo.tests.base import AmparoTestCase

if TYPE_CHECKING:
    from amparo.notify.tests.conftest import SMTPServer

COORDINATOR_EMAIL = "coordinator@desk.amparo.test"
HANDLER_EMAIL = "handler@desk.amparo.test"


class NotifyTestCase(AmparoTestCase):
    """The coordinator and the handler have addresses; nobody else does."""

    smtp: SMTPServer

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        User.objects.filter(pk=cls.coordinator.user.pk).update(email=COORDINATOR_EMAIL)
        User.objects.filter(pk=cls.handler.user.pk).update(email=HANDLER_EMAIL)

    def report(self, *, urgency: str = Urgency.NORMAL, language: str = "es") -> NewCase:
        """A new report, announced after commit as intake announces it.

        Its narrative carries a unique marker, and it names a country, so a
        test can look for either in what was sent.
        """
        self.marker = f"MARKER{uuid.uuid4().hex}"
        created = do_create_case(
            answers={
                "narrative": f"{self.marker}: two men followed me after the hearing",
                "country": "Colombia",
                "urgent": urgency == Urgency.URGENT,
            },
            language=language,
            questionnaire_version="test-1",
            urgency=urgency,
            consents=[ConsentChoice(ConsentScope.STORE, True, "test-1")],
            with_receipt=False,
        )
        self.announce(created.case, "new_case")
        return created

    def announce(self, case: Case, kind: str) -> None:
        """Send ``case_activity`` from on_commit, as the actions do, and run it."""
        with self.captureOnCommitCallbacks(execute=True):
            transaction.on_commit(lambda: case_activity.send(sender=Case, case=case, kind=kind))

    def assign(self, case: Case, user: User | None) -> None:
        # Only the assignee matters to notifications; the desk's do_assign
        # (keys, audit) is tested with the desk.
        Case.objects.filter(pk=case.pk).update(assignee=user)
