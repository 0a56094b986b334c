"""The reporter's choices page and the team's consent pages."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from amparo.cases.models import Case, Consent
from amparo.consent import rules
from amparo.consent.models import SharingRequest
from amparo.referrals.models import Partner
from amparo.tests.base import AmparoTestCase, Reporter, sign_in


def open_follow_up(client: Client, reporter: Reporter) -> None:
    response = client.post("/en/follow-up/", {"receipt": reporter.receipt})
    assert response.status_code == 302, response.status_code


def make_partner(name: str = "Shelter Fund", kind: str = "emergency_fund") -> Partner:
    return Partner.objects.create(
        name=name, kind=kind, languages=["en"], email="fund@example.org", fingerprint="0" * 40
    )


class ReporterChoicesTest(AmparoTestCase):
    def setUp(self) -> None:
        self.reporter = self.make_reporter("Marker-narrative-7731")
        open_follow_up(self.client, self.reporter)

    def test_it_shows_the_choices_and_what_withdrawal_cannot_undo(self) -> None:
        response = self.client.get("/en/follow-up/choices/")
        self.assertContains(response, "What withdrawing does, and what it cannot undo")
        self.assertContains(response, "A package already sent to a partner stays with that")
        self.assertContains(response, "Withdraw")

    def test_the_report_page_links_to_the_choices(self) -> None:
        response = self.client.get("/en/follow-up/report/")
        self.assertContains(response, "/en/follow-up/choices/")

    def test_withdrawing_contact_records_a_new_record_and_stops_the_team(self) -> None:
        response = self.client.post("/en/follow-up/choices/", {"scope": "contact", "granted": "no"})
        self.assertEqual(response.status_code, 302)
        case = self.reporter.case
        self.assertFalse(rules.allows(case, "contact"))
        latest = Consent.objects.filter(case=case, scope="contact").last()
        assert latest is not None
        self.assertEqual(latest.method, "follow_up")
        self.assertEqual(latest.language, "en")
        self.assertIsNone(latest.recorded_by)
        self.assertEqual(Consent.objects.filter(case=case, scope="contact").count(), 2)
        # The desk sees why on the case page.
        staff = Client()
        sign_in(staff, self.coordinator)
        page = staff.get(f"/en/staff/cases/{case.public_id}/")
        self.assertContains(page, "The team cannot write to this reporter.")
        self.assertContains(page, "Consent to contact was withdrawn on")

    def test_a_store_choice_cannot_be_changed_here(self) -> None:
        response = self.client.post("/en/follow-up/choices/", {"scope": "store", "granted": "no"})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(rules.allows(self.reporter.case, "store"))

    def test_without_a_session_it_asks_for_the_code(self) -> None:
        response = Client().get("/en/follow-up/choices/")
        self.assertRedirects(response, "/en/follow-up/", fetch_redirect_response=False)

    def test_the_reporter_agrees_to_a_request_until_a_date(self) -> None:
        partner = make_partner()
        staff = Client()
        sign_in(staff, self.coordinator)
        case = self.reporter.case
        page = staff.get(f"/en/staff/consent/{case.public_id}/propose/")
        self.assertContains(page, "Narrative")
        response = staff.post(
            f"/en/staff/consent/{case.public_id}/propose/",
            {
                "partner": partner.public_id,
                "details": ["answer:narrative"],
                "reason": "The fund can pay for a safe house for three months.",
            },
        )
        self.assertEqual(response.status_code, 302)
        request = SharingRequest.objects.get(case=case)
        self.assertNotIn(b"safe house", bytes(request.reason))
        page = self.client.get("/en/follow-up/choices/")
        self.assertContains(page, "The fund can pay for a safe house")
        self.assertContains(page, "Shelter Fund")
        until = timezone.localdate() + datetime.timedelta(days=30)
        response = self.client.post(
            f"/en/follow-up/choices/requests/{request.public_id}/",
            {"answer": "agree", "until": until.isoformat()},
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(rules.allows(case, "share", partner=partner, fields=["answer:narrative"]))
        grant = rules.sharing_grant(case, partner)
        assert grant is not None
        self.assertEqual(grant.until, until)
        # Answered once only.
        again = self.client.post(
            f"/en/follow-up/choices/requests/{request.public_id}/", {"answer": "refuse"}
        )
        self.assertEqual(again.status_code, 409)
        # Withdrawing ends it.
        self.client.post("/en/follow-up/choices/withdraw-sharing/", {"consent": grant.public_id})
        self.assertFalse(rules.allows(case, "share", partner=partner))

    def test_a_reporter_cannot_answer_another_case_request(self) -> None:
        other = self.make_reporter("other")
        from amparo.cases.vault import lookup_for_receipt, open_for_reporter
        from amparo.consent.actions import do_propose_sharing

        opened = open_for_reporter(*lookup_for_receipt(other.receipt)).opened
        request = do_propose_sharing(
            opened, self.coordinator.user, reason="r", fields=["coding"], partner_kind="legal_aid"
        )
        response = self.client.post(
            f"/en/follow-up/choices/requests/{request.public_id}/", {"answer": "agree"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Consent.objects.filter(case=other.case, scope="share").exists())


class StaffConsentPagesTest(AmparoTestCase):
    def test_the_case_page_shows_consent_and_its_history(self) -> None:
        reporter = self.make_reporter()
        self.sign_in(self.coordinator)
        response = self.client.get(f"/en/staff/cases/{reporter.case.public_id}/")
        self.assertContains(response, 'id="consent"')
        self.assertContains(response, "History of every choice")

    def test_recording_from_a_conversation_needs_the_risk_note(self) -> None:
        reporter = self.make_reporter()
        self.sign_in(self.coordinator)
        url = f"/en/staff/consent/{reporter.case.public_id}/record/"
        response = self.client.post(url, {"scope": "statistics", "granted": "yes"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(rules.allows(reporter.case, "statistics"))
        response = self.client.post(
            url,
            {
                "scope": "statistics",
                "granted": "yes",
                "risk_note": "Explained that counts are published without names.",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(rules.allows(reporter.case, "statistics"))
        record = Consent.objects.filter(case=reporter.case).last()
        assert record is not None
        self.assertEqual(record.recorded_by, self.coordinator.user)
        page = self.client.get(f"/en/staff/cases/{reporter.case.public_id}/")
        self.assertContains(page, "Explained that counts are published without names.")

    def test_role_matrix(self) -> None:
        reporter = self.make_reporter()
        case = Case.objects.get(pk=reporter.case.pk)
        urls = [
            f"/en/staff/consent/{case.public_id}/record/",
            f"/en/staff/consent/{case.public_id}/propose/",
        ]
        for persona, expected in (
            (self.coordinator, 200),
            (self.handler, 404),  # not assigned
            (self.outsider, 404),
            (self.analyst, 403),
            (self.administrator, 403),
        ):
            client = Client()
            sign_in(client, persona)
            for url in urls:
                self.assertEqual(client.get(url).status_code, expected, (persona, url))
        for url in urls:
            self.assertEqual(Client().get(url).status_code, 302)
