"""Helpers for the desk's tests: cases made through the real code paths."""

from __future__ import annotations

import io
import shutil
import tempfile
from typing import Any

from django.db import transaction
from django.test import override_settings

from amparo.cases.actions.create import ConsentChoice, NewCase, do_create_case
from amparo.cases.actions.desk import do_add_message
from amparo.cases.actions.keys import do_assign
from amparo.cases.files import store_attachment
from amparo.cases.models import Attachment, Case, Sender
from amparo.cases.vault import OpenCase
from amparo.reference.loader import load_reference_data
from amparo.tests.base import AmparoTestCase, Persona


def make_case(
    narrative: str = "They followed me home after the session in The Hague.",
    *,
    language: str = "en",
    urgency: str = "normal",
    extra: dict[str, Any] | None = None,
    with_receipt: bool = True,
) -> NewCase:
    return do_create_case(
        answers={"what_happened": narrative, **(extra or {})},
        language=language,
        questionnaire_version="test-1",
        urgency=urgency,
        consents=[
            ConsentChoice("store", True, "consent-v1"),
            ConsentChoice("contact", True, "consent-v1"),
        ],
        with_receipt=with_receipt,
    )


def add_file(
    opened: OpenCase, content: bytes, *, name: str, content_type: str = "application/pdf"
) -> Attachment:
    with transaction.atomic():
        attachment = store_attachment(
            opened, io.BytesIO(content), name=name, content_type=content_type, scrubbed=True
        )
        attachment.save()
    return attachment


class DeskTestCase(AmparoTestCase):
    """Personas plus a private files folder, and ways to set cases up quickly."""

    @classmethod
    def setUpTestData(cls) -> None:
        # The data migration loads the vocabularies, but a TransactionTestCase
        # elsewhere in the suite may have flushed them: load again (idempotent).
        load_reference_data()
        super().setUpTestData()

    def setUp(self) -> None:
        super().setUp()
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        override = override_settings(MEDIA_ROOT=media)
        override.enable()
        self.addCleanup(override.disable)

    def assign(self, case: Case, persona: Persona) -> Case:
        case.refresh_from_db()
        do_assign(
            self.coordinator.user,
            self.coordinator.private_key(),
            case,
            persona.user,
            expected_version=case.version,
        )
        case.refresh_from_db()
        return case

    def reporter_writes(self, created: NewCase, text: str) -> None:
        do_add_message(created.opened, sender=Sender.REPORTER, text=text)

    def case_url(self, case: Case, suffix: str = "") -> str:
        return f"/en/staff/cases/{case.public_id}/{suffix}"
