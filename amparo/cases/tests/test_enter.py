"""Entering a report taken by phone or in person."""

from __future__ import annotations

from amparo.audit.models import AuditEvent
from amparo.cases.models import Case, CaseKey, Channel, Consent
from amparo.cases.signals import case_activity
from amparo.cases.tests.base import DeskTestCase
from amparo.cases.vault import lookup_for_receipt, open_for_reporter, open_for_staff

NEW = "/en/staff/cases/new/"
REPORT = {
    "answer_what_happened": "Called from Bunia: her office was raided on Monday.",
    "language": "fr",
    "urgency": "urgent",
    "consent_store": "on",
    "consent_contact": "on",
}


class EnterOnBehalfTests(DeskTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sign_in(self.handler)

    def test_it_shows_the_questionnaire(self) -> None:
        response = self.client.get(NEW)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="answer_what_happened"')
        self.assertContains(response, 'name="wants_receipt"')

    def test_it_enters_a_case_without_a_receipt(self) -> None:
        received: list[str] = []

        def listener(sender, case, kind, **kwargs):  # type: ignore[no-untyped-def]
            received.append(kind)

        case_activity.connect(listener)
        self.addCleanup(case_activity.disconnect, listener)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(NEW, REPORT)
        case = Case.objects.get()
        self.assertRedirects(
            response, f"/en/staff/cases/{case.public_id}/", fetch_redirect_response=False
        )
        self.assertEqual(
            (case.channel, case.urgency, case.language), (Channel.ON_BEHALF, "urgent", "fr")
        )
        self.assertEqual(case.entered_by, self.handler.user)
        self.assertIsNone(case.reporter_lookup)
        self.assertEqual(
            set(CaseKey.objects.filter(case=case).values_list("user__username", flat=True)),
            {"coordinator", "handler"},
        )
        opened = open_for_staff(case, self.handler.user, self.handler.private_key())
        self.assertEqual(opened.answers()["what_happened"], REPORT["answer_what_happened"])
        self.assertEqual(
            dict(Consent.objects.filter(case=case).values_list("scope", "granted")),
            {"store": True, "contact": True, "statistics": False},
        )
        self.assertEqual(received, ["new_case"])
        event = AuditEvent.objects.get(action="case_created")
        self.assertEqual(event.actor_id, self.handler.user.pk)
        # The handler who entered it sees it in their inbox until it is assigned.
        self.assertContains(self.client.get("/en/staff/cases/"), case.reference)

    def test_it_shows_a_wanted_receipt_once(self) -> None:
        response = self.client.post(NEW, {**REPORT, "wants_receipt": "on"})
        self.assertEqual(response.status_code, 200)
        receipt = response.context["receipt"]
        self.assertContains(response, receipt)
        case = Case.objects.get()
        self.assertNotEqual(case.reporter_lookup, receipt)
        access = open_for_reporter(*lookup_for_receipt(receipt))
        self.assertEqual(access.opened.case, case)
        self.assertNotContains(self.client.get(f"/en/staff/cases/{case.public_id}/"), receipt)

    def test_it_needs_consent_and_an_answer(self) -> None:
        response = self.client.post(NEW, {**REPORT, "consent_store": ""})
        self.assertEqual(response.status_code, 400)
        response = self.client.post(NEW, {**REPORT, "answer_what_happened": "   "})
        self.assertContains(response, "Write down at least what happened", status_code=400)
        self.assertFalse(Case.objects.exists())

    def test_it_is_for_handlers_and_coordinators_only(self) -> None:
        for persona in (self.analyst, self.administrator):
            self.sign_in(persona)
            self.assertEqual(self.client.post(NEW, REPORT).status_code, 403)
        self.assertFalse(Case.objects.exists())
