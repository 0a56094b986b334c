"""The urgent path: contacts first, a short form, the receipt kept across a
language switch until its last 4 digits are typed, and the full form later."""

from __future__ import annotations

from typing import Any

from amparo.cases.models import Case, Urgency
from amparo.cases.signals import case_activity
from amparo.cases.vault import open_for_staff
from amparo.intake import questionnaire as q
from amparo.intake import receipt_page
from amparo.intake.forms import make_token
from amparo.intake.tests.helpers import IntakeTestCase, receipt_from, report_data

LANGUAGES = ("en", "fr", "es", "ar")
NOW = "Two men are outside my door; they say they are police."


def urgent_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "form_token": make_token(q.SHIPPED_VERSION),
        "consent_store": "on",
        "happening_now": NOW,
        "where_now": "Bamako",
        "reach_safely": "Signal, after 8 pm",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class UrgentFormTests(IntakeTestCase):
    def test_it_shows_the_contacts_first_then_a_short_form_in_every_language(self) -> None:
        for lang in LANGUAGES:
            with self.subTest(lang):
                html = self.client.get(f"/{lang}/danger/").content.decode()
                contacts = html.index('href="tel:+35312100489"')
                form = html.index('name="happening_now"')
                self.assertLess(contacts, form)
                for field in ("where_now", "reach_safely", "consent_store", "consent_contact"):
                    self.assertIn(f'name="{field}"', html)
                # Short: none of the full form's questions, no files.
                for field in (
                    'name="what_happened"',
                    'name="when_year"',
                    'name="country"',
                    'type="file"',
                ):
                    self.assertNotIn(field, html)

    def test_it_sends_a_short_urgent_report_and_alerts_like_any_urgent_report(self) -> None:
        kinds: list[str] = []

        def receiver(sender: object, case: Case, kind: str, **kwargs: object) -> None:
            kinds.append(f"{kind}:{case.urgency}")

        case_activity.connect(receiver, dispatch_uid="test-urgent")
        self.addCleanup(case_activity.disconnect, dispatch_uid="test-urgent")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/fr/danger/", urgent_data())
        self.assertEqual(response.status_code, 200)
        receipt_from(response.content.decode())
        case = Case.objects.get()
        self.assertEqual(case.urgency, Urgency.URGENT)
        self.assertEqual(kinds, [f"new_case:{Urgency.URGENT}"])
        opened = open_for_staff(case, self.coordinator.user, self.coordinator.private_key())
        self.assertEqual(
            opened.answers(),
            {"happening_now": NOW, "where_now": "Bamako", "reach_safely": "Signal, after 8 pm"},
        )
        self.assertContains(response, 'href="tel:+35312100489"')

    def test_it_needs_what_is_happening_and_the_consent_to_store(self) -> None:
        response = self.client.post(
            "/en/danger/", urgent_data(happening_now=" ", consent_store=None)
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Please answer this question.", status_code=400)
        self.assertContains(
            response, "You need to agree to this for the desk to keep your report.", status_code=400
        )
        self.assertFalse(Case.objects.exists())

    def test_where_and_how_to_reach_are_optional(self) -> None:
        response = self.client.post("/en/danger/", urgent_data(where_now="", reach_safely=""))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Case.objects.get().urgency, Urgency.URGENT)


class ReceiptPageTests(IntakeTestCase):
    def test_switching_language_keeps_the_code(self) -> None:
        response = self.client.post("/en/danger/", urgent_data())
        receipt = receipt_from(response.content.decode())
        # The language links lead to the kept receipt page, not to an empty form.
        self.assertContains(response, 'href="/ar/report/received/"')
        for lang in ("ar", "fr", "es", "en"):
            with self.subTest(lang):
                page = self.client.get(f"/{lang}/report/received/")
                self.assertEqual(page.status_code, 200)
                self.assertEqual(receipt_from(page.content.decode()), receipt)
                self.assertContains(page, 'href="tel:+35312100489"')  # still urgent

    def test_the_code_is_not_readable_in_the_session_table(self) -> None:
        from django.contrib.sessions.models import Session

        response = self.client.post("/en/report/", report_data())
        receipt = receipt_from(response.content.decode())
        stored = "".join(str(s.get_decoded()) for s in Session.objects.all())
        self.assertNotIn(receipt.replace(" ", ""), stored.replace(" ", ""))
        self.assertNotIn(receipt, stored)
        self.assertNotIn(Case.objects.get().reference, stored)

    def test_it_leaves_only_after_the_last_4_digits_are_typed(self) -> None:
        response = self.client.post("/en/report/", report_data())
        receipt = receipt_from(response.content.decode())
        wrong = "0000" if not receipt.endswith("0000") else "1111"
        refused = self.client.post("/en/report/received/", {"last4": wrong})
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "These are not the last 4 digits", status_code=400)
        self.assertEqual(receipt_from(refused.content.decode()), receipt)
        refused = self.client.post("/en/report/received/", {"last4": "12"})
        self.assertContains(refused, "Please type the last 4 digits", status_code=400)
        # Arabic-Indic digits, as someone may write them down.
        arabic = receipt[-4:].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
        done = self.client.post("/ar/report/received/", {"last4": arabic})
        self.assertRedirects(done, "/ar/report/thanks/", fetch_redirect_response=False)
        gone = self.client.get("/en/report/received/")
        self.assertEqual(gone.status_code, 410)
        self.assertNotIn(receipt, gone.content.decode())

    def test_an_urgent_report_leads_to_the_urgent_thanks_page(self) -> None:
        response = self.client.post("/es/danger/", urgent_data())
        receipt = receipt_from(response.content.decode())
        done = self.client.post("/es/report/received/", {"last4": receipt[-4:]})
        self.assertRedirects(done, "/es/report/thanks/?urgent=1", fetch_redirect_response=False)

    def test_the_page_expires(self) -> None:
        self.client.post("/en/report/", report_data())
        session = self.client.session
        session["amparo_receipt_until"] = 0
        session.save()
        self.assertEqual(self.client.get("/fr/report/received/").status_code, 410)

    def test_leaving_quickly_forgets_it(self) -> None:
        self.client.post("/en/report/", report_data())
        self.client.get("/en/exit/")
        self.assertEqual(self.client.get("/en/report/received/").status_code, 410)

    def test_without_a_report_there_is_nothing_to_show(self) -> None:
        self.assertEqual(self.client.get("/en/report/received/").status_code, 410)

    def test_last_digits_reads_what_people_type(self) -> None:
        self.assertEqual(receipt_page.last_digits(" 1 2-3 4 "), "1234")
        self.assertEqual(receipt_page.last_digits("۱۲۳۴"), "1234")
        self.assertIsNone(receipt_page.last_digits("12345"))
        self.assertIsNone(receipt_page.last_digits("12a4"))


class CompleteLaterTests(IntakeTestCase):
    def open_follow_up(self, receipt: str) -> None:
        response = self.client.post("/en/follow-up/", {"receipt": receipt})
        self.assertRedirects(response, "/en/follow-up/report/", fetch_redirect_response=False)

    def test_the_full_form_is_there_afterwards_through_the_follow_up(self) -> None:
        receipt = receipt_from(self.client.post("/en/danger/", urgent_data()).content.decode())
        self.open_follow_up(receipt)
        page = self.client.get("/fr/follow-up/report/")
        self.assertContains(page, 'href="/fr/follow-up/complete/"')
        form = self.client.get("/fr/follow-up/complete/")
        self.assertContains(form, 'name="what_happened"')
        self.assertNotContains(form, 'name="consent_store"')
        data = report_data()
        for name in ("form_token", "consent_store", "consent_contact"):
            data.pop(name)
        with self.captureOnCommitCallbacks(execute=True):
            done = self.client.post("/fr/follow-up/complete/", data)
        self.assertRedirects(done, "/fr/follow-up/report/", fetch_redirect_response=False)
        case = Case.objects.get()
        answers = open_for_staff(
            case, self.coordinator.user, self.coordinator.private_key()
        ).answers()
        self.assertEqual(answers["happening_now"], NOW)  # what was said in danger stays
        self.assertEqual(answers["country"], "UG")
        # Once completed, the link goes away and the form is not offered again.
        self.assertNotContains(self.client.get("/fr/follow-up/report/"), "/follow-up/complete/")
        self.assertRedirects(
            self.client.get("/fr/follow-up/complete/"),
            "/fr/follow-up/report/",
            fetch_redirect_response=False,
        )

    def test_a_full_report_is_never_offered_the_complete_form(self) -> None:
        receipt = receipt_from(self.client.post("/en/report/", report_data()).content.decode())
        self.open_follow_up(receipt)
        self.assertNotContains(self.client.get("/en/follow-up/report/"), "/follow-up/complete/")

    def test_it_needs_a_follow_up_session(self) -> None:
        response = self.client.get("/en/follow-up/complete/")
        self.assertRedirects(response, "/en/follow-up/", fetch_redirect_response=False)
