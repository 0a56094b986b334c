"""The reporter asks for deletion; a coordinator confirms or records why the team keeps
it; administrators set the rules. Every page checks who may see it."""

from __future__ import annotations

import datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from django.test import override_settings
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.cases.models import Case, CaseKey
from amparo.cases.vault import open_for_staff
from amparo.operations.models import DeletionRequest, RequestStatus, RetentionRule, Shredding
from amparo.tests.base import AmparoTestCase, Reporter


class DeletionRequestTests(AmparoTestCase):
    def setUp(self) -> None:
        self._files = TemporaryDirectory()
        self.addCleanup(self._files.cleanup)
        media = override_settings(MEDIA_ROOT=Path(self._files.name))
        media.enable()
        self.addCleanup(media.disable)
        self.reporter = self.make_reporter()

    def open_as_reporter(self, reporter: Reporter) -> None:
        response = self.client.post("/en/follow-up/", {"receipt": reporter.receipt})
        self.assertRedirects(response, "/en/follow-up/report/")

    def ask(self) -> DeletionRequest:
        self.open_as_reporter(self.reporter)
        page = self.client.get("/en/follow-up/report/")
        self.assertContains(page, reverse("operations:reporter_deletion"))
        refused = self.client.post(reverse("operations:reporter_deletion"), {})
        self.assertEqual(refused.status_code, 400)
        self.assertFalse(DeletionRequest.objects.exists())
        response = self.client.post(reverse("operations:reporter_deletion"), {"understood": "on"})
        self.assertRedirects(response, reverse("operations:reporter_deletion"))
        again = self.client.post(reverse("operations:reporter_deletion"), {"understood": "on"})
        self.assertEqual(again.status_code, 302)
        request = DeletionRequest.objects.get()  # asking twice makes one request
        self.assertEqual(request.due_on - request.requested_on, datetime.timedelta(days=30))
        page = self.client.get(reverse("operations:reporter_deletion"))
        self.assertContains(page, "The team will answer by")
        event = AuditEvent.objects.get(action="deletion_requested")
        self.assertEqual((event.actor_id, event.at.time().isoformat()), (None, "00:00:00"))
        self.client = self.client_class()
        return request

    def test_the_reporter_page_needs_the_follow_up_session(self) -> None:
        response = self.client.get(reverse("operations:reporter_deletion"))
        self.assertRedirects(response, "/en/follow-up/")

    def test_a_coordinator_confirms_and_the_case_is_shredded(self) -> None:
        request = self.ask()
        self.sign_in(self.coordinator)
        home = self.client.get(reverse("operations:home"))
        self.assertContains(home, self.reporter.case.reference)
        response = self.client.post(
            reverse("operations:decide", args=[request.pk]), {"decision": "confirm"}
        )
        self.assertRedirects(response, reverse("operations:home"))
        request.refresh_from_db()
        self.assertEqual(request.status, RequestStatus.CONFIRMED)
        self.assertFalse(Case.objects.filter(pk=self.reporter.case.pk).exists())
        self.assertEqual(Shredding.objects.get().reason, "reporter_request")
        self.assertEqual(
            AuditEvent.objects.get(action="deletion_decided").details, {"decision": "confirmed"}
        )
        # The code opens nothing any more.
        response = self.client_class().post("/en/follow-up/", {"receipt": self.reporter.receipt})
        self.assertContains(response, "No report matches this code.", status_code=400)

    def attention_count(self) -> int:
        from django.utils import timezone

        from amparo.cases import attention

        return attention.counts(self.coordinator.user, timezone.now())["deletion_requests"]

    def test_a_coordinator_keeps_it_with_an_encrypted_reason(self) -> None:
        self.assertEqual(self.attention_count(), 0)
        request = self.ask()
        self.assertEqual(self.attention_count(), 1)  # on protection's needs-attention page
        self.sign_in(self.coordinator)
        url = reverse("operations:decide", args=[request.pk])
        missing = self.client.post(url, {"decision": "keep", "reason": " "})
        self.assertEqual(missing.status_code, 200)
        self.client.post(url, {"decision": "keep", "reason": "A referral to the mission is open."})
        request.refresh_from_db()
        self.assertEqual(request.status, RequestStatus.KEPT)
        self.assertEqual(self.attention_count(), 0)
        self.assertNotIn(b"referral", bytes(request.reason))
        opened = open_for_staff(
            self.reporter.case, self.coordinator.user, self.coordinator.private_key()
        )
        self.assertEqual(
            opened.decrypt_text(request.reason, request.aad_field()),
            "A referral to the mission is open.",
        )
        self.assertTrue(CaseKey.objects.filter(case=self.reporter.case).exists())
        self.open_as_reporter(self.reporter)
        page = self.client.get(reverse("operations:reporter_deletion"))
        self.assertContains(page, "must keep your report for now")
        self.assertNotContains(page, "referral")

    def test_only_coordinators_holding_the_case_decide(self) -> None:
        request = self.ask()
        url = reverse("operations:decide", args=[request.pk])
        for persona in (self.handler, self.analyst, self.administrator, self.outsider):
            self.client = self.client_class()
            self.sign_in(persona)
            response = self.client.post(url, {"decision": "confirm"})
            self.assertIn(response.status_code, {403, 404}, persona.user.username)
        self.client = self.client_class()
        self.sign_in(self.coordinator)
        self.assertEqual(self.client.get(reverse("operations:decide", args=[999])).status_code, 404)
        self.assertTrue(Case.objects.filter(pk=self.reporter.case.pk).exists())


class RulesPageTests(AmparoTestCase):
    def test_an_administrator_sets_the_rules(self) -> None:
        self.sign_in(self.administrator)
        page = self.client.get(reverse("operations:home"))
        self.assertContains(page, "90 days after the case reached this stage")
        self.assertNotContains(page, "Deletion requests from reporters")
        response = self.client.post(
            reverse("operations:save_rules"),
            {"not_a_reprisal": "120", "duplicate": "90", "closed": "3650"},
        )
        self.assertRedirects(response, reverse("operations:home"))
        self.assertEqual(
            dict(RetentionRule.objects.values_list("stage", "keep_days")),
            {"not_a_reprisal": 120, "closed": 3650},
        )
        bad = self.client.post(
            reverse("operations:save_rules"),
            {"not_a_reprisal": "1", "duplicate": "90", "closed": "3650"},
        )
        self.assertEqual(bad.status_code, 302)
        self.assertEqual(RetentionRule.objects.get(stage="not_a_reprisal").keep_days, 120)

    def test_coordinators_read_the_rules_but_do_not_change_them(self) -> None:
        self.sign_in(self.coordinator)
        self.assertEqual(self.client.get(reverse("operations:home")).status_code, 200)
        response = self.client.post(
            reverse("operations:save_rules"),
            {"not_a_reprisal": "120", "duplicate": "90", "closed": "3650"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(RetentionRule.objects.exists())

    def test_handlers_and_analysts_are_turned_away(self) -> None:
        for persona in (self.handler, self.analyst):
            self.client = self.client_class()
            self.sign_in(persona)
            self.assertEqual(self.client.get(reverse("operations:home")).status_code, 403)

    def test_every_page_renders_in_every_language(self) -> None:
        self.sign_in(self.administrator)
        for language in ("en", "fr", "es", "ar"):
            page = self.client.get(f"/{language}/staff/operations/")
            self.assertEqual(page.status_code, 200, language)
