"""The report form: a complete report, and every way it can be refused."""

from __future__ import annotations

from unittest import mock

from django.db import OperationalError
from django.test import override_settings
from django.utils import translation

from amparo.audit.models import AuditEvent
from amparo.cases.models import Attachment, Case, Consent, Urgency
from amparo.cases.vault import lookup_for_receipt, open_for_reporter, open_for_staff
from amparo.intake.forms import make_token
from amparo.intake.models import UsedFormToken
from amparo.intake.tests.helpers import (
    NARRATIVE,
    TOKEN_RE,
    IntakeTestCase,
    jpeg_bytes,
    receipt_from,
    report_data,
    upload,
)


class ReportTests(IntakeTestCase):
    def test_it_shows_the_form_with_consent_first_in_each_language(self) -> None:
        for language in ("en", "fr", "es", "ar"):
            response = self.client.get(f"/{language}/report/")
            self.assertEqual(response.status_code, 200)
            body = response.content.decode()
            self.assertLess(body.index('name="consent_store"'), body.index('name="what_happened"'))
            with translation.override(language):
                self.assertIn(translation.gettext("I am in immediate danger"), body)
            self.assertRegex(body, TOKEN_RE)

    def test_it_creates_a_case_with_answers_consents_and_version(self) -> None:
        response = self.submit()
        self.assertEqual(response.status_code, 200)
        receipt = receipt_from(response.content.decode())
        case = Case.objects.get()
        self.assertContains(response, case.reference)
        self.assertEqual(case.questionnaire_version, "2026-2")
        self.assertEqual(case.urgency, Urgency.NORMAL)
        self.assertEqual(case.language, "en")
        opened = open_for_staff(case, self.coordinator.user, self.coordinator.private_key())
        answers = opened.answers()
        self.assertEqual(answers["what_happened"], NARRATIVE)
        self.assertEqual(answers["when"], "2025-03")
        self.assertEqual(answers["country"], "UG")
        self.assertEqual(answers["engagement"], ["witness", "intermediary"])
        self.assertNotIn("name", answers)  # left empty
        consents = {c.scope: (c.granted, c.wording_version) for c in Consent.objects.all()}
        self.assertEqual(
            consents,
            {
                "store": (True, "questionnaire-2026-2/store"),
                "contact": (True, "questionnaire-2026-2/contact"),
                "statistics": (False, "questionnaire-2026-2/statistics"),
            },
        )
        # The receipt opens the case and is stored nowhere in clear.
        access = open_for_reporter(*lookup_for_receipt(receipt))
        self.assertEqual(access.opened.case, case)
        self.assertNotIn(receipt.replace(" ", ""), str(Case.objects.values().get()))
        self.assertTrue(AuditEvent.objects.filter(action="report_submitted").exists())

    def test_it_marks_a_report_urgent_and_shows_emergency_contacts(self) -> None:
        response = self.submit(urgent="on")
        self.assertEqual(Case.objects.get().urgency, Urgency.URGENT)
        self.assertContains(response, "Emergency contacts")
        self.assertContains(response, "help@accessnow.org")

    def test_it_sends_the_new_case_signal_after_commit(self) -> None:
        from amparo.cases.signals import case_activity

        received: list[str] = []

        def listener(sender: object, **kwargs: object) -> None:
            received.append(str(kwargs["kind"]))

        case_activity.connect(listener)
        self.addCleanup(case_activity.disconnect, listener)
        with self.captureOnCommitCallbacks(execute=True):
            self.submit()
        self.assertEqual(received, ["new_case"])

    def test_it_records_an_exact_day_and_a_year_alone(self) -> None:
        self.submit(when_day="14", when_month="2", when_year="2024")
        self.submit(when_day="", when_month="", when_year="2023")
        values = []
        for case in Case.objects.order_by("id"):
            opened = open_for_staff(case, self.coordinator.user, self.coordinator.private_key())
            values.append(opened.answers()["when"])
        self.assertEqual(values, ["2024-02-14", "2023"])

    def test_it_accepts_a_year_typed_in_arabic_indic_digits(self) -> None:
        self.submit("ar", when_year="٢٠٢٤")
        case = Case.objects.get()
        opened = open_for_staff(case, self.coordinator.user, self.coordinator.private_key())
        self.assertEqual(opened.answers()["when"], "2024-03")
        self.assertEqual(case.language, "ar")

    def test_it_stores_files_encrypted_with_a_true_extension(self) -> None:
        response = self.submit(files=[upload("photo.exe", jpeg_bytes(), "image/jpeg")])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "photo.jpg")
        self.assertContains(response, "hidden information removed")
        attachment = Attachment.objects.get()
        opened = open_for_staff(
            attachment.case, self.coordinator.user, self.coordinator.private_key()
        )
        meta = opened.decrypt_json(attachment.metadata, attachment.aad_field())
        self.assertEqual(meta["name"], "photo.jpg")
        self.assertEqual(meta["content_type"], "image/jpeg")
        self.assertTrue(meta["scrubbed"])
        self.assertEqual(len(meta["sha256"]), 64)
        self.assertEqual(len(self.stored_files()), 1)
        self.assertEqual(self.temp_uploads(), [])

    def test_it_warns_that_metadata_may_remain_in_other_files(self) -> None:
        response = self.submit(files=[upload("notes.txt", b"Ce que j'ai vu")])
        self.assertContains(response, "hidden information may remain")


class BadInputTests(IntakeTestCase):
    """Each refusal: a clear message, the text kept, nothing stored."""

    def assert_refused(self, response, status: int = 400, *, keeps: str = NARRATIVE) -> str:  # type: ignore[no-untyped-def]
        self.assertEqual(response.status_code, status)
        body = response.content.decode()
        self.assertTrue(keeps in body, "what was typed is not on the page")
        self.assertEqual(Case.objects.count(), 0)
        self.assertEqual(Attachment.objects.count(), 0)
        self.assertEqual(self.stored_files(), [])
        self.assertEqual(self.temp_uploads(), [])
        self.assertEqual(UsedFormToken.objects.count(), 0)
        return body

    def test_it_refuses_empty_required_fields(self) -> None:
        body = self.assert_refused(self.submit(targeted="   ", country=""))
        self.assertIn("Please answer this question.", body)
        self.assertIn('href="#id_targeted"', body)  # the summary links to the field
        self.assertIn('aria-invalid="true"', body)

    def test_it_refuses_a_report_without_the_consent_to_store_it(self) -> None:
        body = self.assert_refused(self.submit(consent_store=None))
        self.assertIn("You need to agree to this for the desk to keep your report.", body)

    def test_it_refuses_over_long_fields_and_keeps_the_text(self) -> None:
        long_text = "x" * 20001
        response = self.submit(what_happened=long_text)
        body = self.assert_refused(response, keeps=long_text)
        self.assertIn("20000 characters or fewer (it has 20001)", body)
        self.assertNotIn("maxlength", body)  # a browser would cut pasted text silently

    def test_it_refuses_wrong_dates(self) -> None:
        cases = {
            ("31", "2", "2024"): "This day does not exist in that month.",
            ("1", "1", "2999"): "Please give a year between",
            ("", "", "1850"): "Please give a year between",
            ("12", "", "2024"): "Please also give the month",
            ("", "5", ""): "Please give at least the year.",
            ("", "", "20x4"): "four digits",
        }
        for (day, month, year), message in cases.items():
            with self.subTest(day=day, month=month, year=year):
                body = self.assert_refused(
                    self.submit(when_day=day, when_month=month, when_year=year)
                )
                self.assertIn(message, body)

    def test_it_refuses_a_date_in_the_future(self) -> None:
        import datetime

        from django.utils import timezone

        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        body = self.assert_refused(
            self.submit(
                when_day=str(tomorrow.day),
                when_month=str(tomorrow.month),
                when_year=str(tomorrow.year),
            )
        )
        self.assertIn("This date is in the future.", body)

    def test_it_refuses_unknown_countries_and_choices(self) -> None:
        body = self.assert_refused(self.submit(country="XX", engagement=["no_such_term"]))
        self.assertIn("Please choose a country from the list.", body)
        self.assertIn("Select a valid choice", body)

    def test_it_refuses_too_many_files(self) -> None:
        files = [upload(f"p{i}.jpg", jpeg_bytes()) for i in range(6)]
        body = self.assert_refused(self.submit(files=files))
        self.assertIn("You can attach at most 5 files", body)
        self.assertIn("Please attach them again", body)
        self.assertIn("p5.jpg", body)

    @override_settings(AMPARO_MAX_FILE_BYTES=1000)
    def test_it_refuses_a_file_that_is_too_large(self) -> None:
        body = self.assert_refused(
            self.submit(files=[upload("big.jpg", jpeg_bytes(size=(400, 400)))])
        )
        self.assertIn("“big.jpg” is larger than", body)

    def test_it_refuses_a_file_whose_content_is_not_an_allowed_type(self) -> None:
        body = self.assert_refused(
            self.submit(files=[upload("photo.jpg", b"MZ\x90\x00 this is a program", "image/jpeg")])
        )
        self.assertIn("“photo.jpg” is not a type of file we can accept", body)

    def test_it_refuses_a_damaged_image(self) -> None:
        broken = jpeg_bytes()[:200]
        body = self.assert_refused(self.submit(files=[upload("cut.jpg", broken)]))
        self.assertIn("seems to be damaged", body)

    def test_it_refuses_an_empty_file(self) -> None:
        body = self.assert_refused(self.submit(files=[upload("empty.pdf", b"")]))
        self.assertIn("“empty.pdf” is empty.", body)

    def test_it_keeps_the_text_when_the_csrf_token_is_missing_on_our_own_page(self) -> None:
        client = self.client_class(enforce_csrf_checks=True)
        response = client.post(
            "/fr/report/", report_data(), headers={"origin": "http://testserver"}
        )
        body = self.assert_refused(response, status=403)
        with translation.override("fr"):
            self.assertIn(
                translation.gettext(
                    "For your protection, this page had to be refreshed before your report "
                    "could be sent. Nothing was sent yet. Please check what you wrote and send "
                    "it again."
                ),
                body,
            )
        self.assertIn("csrfmiddlewaretoken", body)  # a fresh token to send again with

    def test_it_keeps_the_text_when_the_csrf_token_was_tampered_with(self) -> None:
        client = self.client_class(enforce_csrf_checks=True)
        client.get("/en/report/")
        response = client.post(
            "/en/report/",
            report_data(csrfmiddlewaretoken="x" * 64),
            headers={"origin": "http://testserver"},
        )
        self.assert_refused(response, status=403)

    def test_it_echoes_nothing_to_a_post_from_another_site(self) -> None:
        client = self.client_class(enforce_csrf_checks=True)
        response = client.post(
            "/en/report/", report_data(), headers={"origin": "https://attacker.example"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertNotContains(response, NARRATIVE, status_code=403)
        self.assertContains(response, "This form has expired", status_code=403)
        self.assertEqual(Case.objects.count(), 0)

    def test_it_makes_one_report_from_a_replayed_form(self) -> None:
        data = report_data()
        first = self.client.post("/en/report/", data)
        self.assertEqual(first.status_code, 200)
        again = self.client.post("/en/report/", data)
        self.assertEqual(again.status_code, 409)
        self.assertContains(again, "This report was already sent", status_code=409)
        self.assertEqual(Case.objects.count(), 1)

    def test_it_renews_an_expired_or_forged_form_token_and_keeps_the_text(self) -> None:
        for token in ["forged", ""]:
            with self.subTest(token=token):
                body = self.assert_refused(self.submit(form_token=token))
                self.assertIn("This page was open for a long time", body)
                self.assertRegex(body, TOKEN_RE)
        with mock.patch("django.core.signing.time.time", return_value=0):
            old = make_token("2026-1")
        body = self.assert_refused(self.submit(form_token=old))
        self.assertIn("This page was open for a long time", body)

    def test_it_leaves_nothing_behind_when_the_database_fails_after_the_files_were_written(
        self,
    ) -> None:
        written: list[int] = []

        def failing_record(*args: object, **kwargs: object) -> None:
            written.append(len(self.stored_files()))
            raise OperationalError("connection lost password=hunter2")

        with (
            mock.patch("amparo.intake.actions.record", side_effect=failing_record),
            self.assertLogs("amparo.intake", level="ERROR") as logs,
        ):
            response = self.submit(
                files=[upload("a.jpg", jpeg_bytes()), upload("b.jpg", jpeg_bytes())]
            )
        self.assertEqual(written, [2])  # the files were on disk when the database failed
        body = self.assert_refused(response, status=503)
        self.assertIn("could not be saved because of a problem on our side", body)
        self.assertIn("a.jpg", body)  # asked to attach again
        self.assertNotIn("hunter2", "\n".join(logs.output))

    def test_it_leaves_nothing_behind_when_the_database_is_gone_at_the_start(self) -> None:
        with (
            mock.patch(
                "amparo.intake.actions.UsedFormToken.objects.create",
                side_effect=OperationalError("server closed the connection"),
            ),
            self.assertLogs("amparo.intake", level="ERROR"),
        ):
            response = self.submit("es")
        body = self.assert_refused(response, status=503)
        with translation.override("es"):
            self.assertIn(
                translation.gettext(
                    "Your report could not be saved because of a problem on our side. Nothing "
                    "was stored. What you wrote is kept below: please try again in a few minutes."
                ),
                body,
            )

    def test_it_refuses_a_filled_honeypot_but_keeps_the_text(self) -> None:
        body = self.assert_refused(self.submit(website="http://spam.example"))
        self.assertIn("Please send it again", body)
        self.assertNotIn("spam.example", body)  # cleared, so sending again works

    @override_settings(AMPARO_SUBMISSIONS_PER_CLIENT_PER_HOUR=2)
    def test_it_limits_submissions_per_client(self) -> None:
        self.submit()
        self.submit()
        response = self.submit(what_happened="A third report")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "A third report", status_code=429)
        self.assertEqual(Case.objects.count(), 2)
        other = self.client.post("/en/report/", report_data(), REMOTE_ADDR="198.51.100.9")
        self.assertEqual(other.status_code, 200)

    @override_settings(AMPARO_SUBMISSIONS_PER_HOUR=1, AMPARO_SUBMISSIONS_PER_CLIENT_PER_HOUR=0)
    def test_it_limits_submissions_for_the_whole_desk(self) -> None:
        self.submit()
        response = self.client.post("/en/report/", report_data(), REMOTE_ADDR="198.51.100.9")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "unusual number of reports", status_code=429)
