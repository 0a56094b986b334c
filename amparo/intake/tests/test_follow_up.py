"""The reporter's way back: the code opens their report, and nothing else."""

from __future__ import annotations

from unittest import mock

from django.contrib.sessions.models import Session
from django.db import OperationalError
from django.test import override_settings
from django.utils import translation

from amparo.audit.models import AuditEvent
from amparo.cases.actions.desk import do_add_message
from amparo.cases.models import Attachment, Case, Message, Sender, Stage
from amparo.cases.vault import open_for_staff
from amparo.intake import reporter_session
from amparo.intake.tests.helpers import (
    NARRATIVE,
    IntakeTestCase,
    jpeg_bytes,
    receipt_from,
    upload,
)
from amparo.intake.views import STATUS_TEXT

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
NO_MATCH = "No report matches this code."


class FollowUpTests(IntakeTestCase):
    def setUp(self) -> None:
        super().setUp()
        response = self.submit()
        self.receipt = receipt_from(response.content.decode())
        self.case = Case.objects.get()
        # A new browser: the reporter comes back another day.
        self.client = self.client_class()

    def open_report(self, code: str, language: str = "en"):  # type: ignore[no-untyped-def]
        return self.client.post(f"/{language}/follow-up/", {"receipt": code})

    def desk_reply(self, text: str) -> Message:
        opened = open_for_staff(self.case, self.coordinator.user, self.coordinator.private_key())
        return do_add_message(opened, sender=Sender.DESK, text=text, author=self.coordinator.user)

    def test_it_opens_the_report_with_the_code(self) -> None:
        response = self.open_report(self.receipt)
        self.assertRedirects(response, "/en/follow-up/report/")
        page = self.client.get("/en/follow-up/report/")
        self.assertContains(page, self.case.reference)
        self.assertContains(page, NARRATIVE)
        self.assertContains(page, str(STATUS_TEXT[Stage.RECEIVED]))
        self.assertContains(page, "Uganda")
        self.assertNotContains(page, self.receipt)
        self.assertContains(page, "Yes: The desk may write to me through this website.")
        self.assertContains(page, "No: My report may be counted")
        read = AuditEvent.objects.get(action="case_read")
        self.assertEqual((read.actor_id, read.target_id), (None, self.case.public_id))
        self.assertEqual(read.details, {"by": "reporter"})
        self.assertEqual(read.at.time().isoformat(), "00:00:00")  # the day only

    def test_it_accepts_arabic_indic_digits_and_extra_spaces(self) -> None:
        typed = "  " + "  ".join(self.receipt.translate(ARABIC_INDIC).split(" ")) + " "
        response = self.open_report(typed, "ar")
        self.assertRedirects(response, "/ar/follow-up/report/")

    def test_it_accepts_dashes_and_no_spaces(self) -> None:
        response = self.open_report(self.receipt.replace(" ", "-"))
        self.assertRedirects(response, "/en/follow-up/report/")

    def test_it_answers_wrong_and_unknown_codes_alike(self) -> None:
        digits = self.receipt.replace(" ", "")
        wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
        unknown = "1234 5678 9012 3456 7890 1234 5678"
        bodies = []
        for code in (wrong, unknown):
            response = self.open_report(code)
            self.assertEqual(response.status_code, 400)
            self.assertContains(response, NO_MATCH, status_code=400)
            self.assertNotContains(response, code, status_code=400)  # never echoed
            bodies.append(
                response.content.decode().replace(response.cookies["amparo_csrf"].value, "")
            )
        self.assertEqual(len(bodies), 2)

    def test_it_explains_a_code_with_the_wrong_number_of_digits(self) -> None:
        response = self.open_report("1234 5678")
        self.assertContains(response, "A follow-up code has 28 digits.", status_code=400)

    def test_it_translates_the_refusal(self) -> None:
        response = self.open_report("1234 5678 9012 3456 7890 1234 5670", "fr")
        with translation.override("fr"):
            expected = translation.gettext(
                "No report matches this code. Please check it and try again: a follow-up code "
                "has 28 digits."
            )
        self.assertNotEqual(
            expected, NO_MATCH + " Please check it and try again: a follow-up code has 28 digits."
        )
        self.assertContains(response, expected, status_code=400)

    @override_settings(AMPARO_RECEIPT_ATTEMPTS_PER_CLIENT=3)
    def test_it_limits_attempts_per_client(self) -> None:
        for _ in range(3):
            self.open_report("1234 5678 9012 3456 7890 1234 5678")
        # Even the right code waits now: the limit counts attempts, not failures.
        response = self.open_report(self.receipt)
        self.assertContains(response, "Too many attempts", status_code=429)
        other = self.client_class().post(
            "/en/follow-up/", {"receipt": self.receipt}, REMOTE_ADDR="198.51.100.7"
        )
        self.assertEqual(other.status_code, 302)

    @override_settings(AMPARO_RECEIPT_ATTEMPTS_PER_MINUTE=2, AMPARO_RECEIPT_ATTEMPTS_PER_CLIENT=0)
    def test_it_limits_attempts_for_the_whole_desk(self) -> None:
        for address in ("198.51.100.1", "198.51.100.2"):
            self.client.post("/en/follow-up/", {"receipt": "1" * 28}, REMOTE_ADDR=address)
        response = self.client.post(
            "/en/follow-up/", {"receipt": self.receipt}, REMOTE_ADDR="198.51.100.3"
        )
        self.assertEqual(response.status_code, 429)

    def test_it_keeps_no_usable_key_in_the_session_store(self) -> None:
        self.open_report(self.receipt)
        cookie = self.client.cookies[reporter_session.COOKIE_NAME]
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Strict")
        # Without the cookie half, the session alone opens nothing.
        del self.client.cookies[reporter_session.COOKIE_NAME]
        response = self.client.get("/en/follow-up/report/")
        self.assertRedirects(response, "/en/follow-up/")
        stored = "".join(s.session_data for s in Session.objects.all())
        self.assertNotIn(self.receipt.replace(" ", ""), stored)

    def test_it_shows_the_desk_reply_and_sends_the_reporters_answer(self) -> None:
        self.desk_reply("Are you safe where you are now?")
        self.open_report(self.receipt)
        page = self.client.get("/en/follow-up/report/")
        self.assertContains(page, "Are you safe where you are now?")
        self.assertContains(page, '<span class="new">')
        self.assertTrue(Message.objects.get().read_by_reporter)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/en/follow-up/report/",
                {"text": "Yes, at a friend's house.", "files": [upload("m.jpg", jpeg_bytes())]},
            )
        self.assertRedirects(response, "/en/follow-up/report/", fetch_redirect_response=False)
        answer = Message.objects.get(sender=Sender.REPORTER)
        opened = open_for_staff(self.case, self.coordinator.user, self.coordinator.private_key())
        self.assertEqual(
            opened.decrypt_text(answer.body, answer.aad_field()), "Yes, at a friend's house."
        )
        self.assertEqual(Attachment.objects.get().message, answer)
        page = self.client.get("/en/follow-up/report/")
        self.assertContains(page, "Your message has been sent to the desk.")
        self.assertContains(page, "m.jpg")

    def test_it_downloads_only_its_own_files(self) -> None:
        self.open_report(self.receipt)
        self.client.post(
            "/en/follow-up/report/", {"text": "A photo", "files": [upload("p.jpg", jpeg_bytes())]}
        )
        attachment = Attachment.objects.get()
        response = self.client.get(f"/en/follow-up/files/{attachment.public_id}/")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(b"".join(response.streaming_content).startswith(b"\xff\xd8"))  # type: ignore[attr-defined]
        self.assertIn("p.jpg", response["Content-Disposition"])
        self.assertTrue(AuditEvent.objects.filter(action="file_downloaded").exists())
        other = self.client.get("/en/follow-up/files/not-a-real-id/")
        self.assertEqual(other.status_code, 404)

    def test_it_refuses_an_empty_or_over_long_message_and_keeps_the_text(self) -> None:
        self.open_report(self.receipt)
        empty = self.client.post("/en/follow-up/report/", {"text": "  "})
        self.assertContains(empty, "Please write a message.", status_code=400)
        long_text = "y" * 20001
        response = self.client.post("/en/follow-up/report/", {"text": long_text})
        self.assertContains(response, long_text, status_code=400)
        self.assertEqual(Message.objects.count(), 0)

    def test_it_keeps_a_message_when_the_database_fails(self) -> None:
        self.open_report(self.receipt)
        with (
            mock.patch(
                "amparo.intake.actions.Attachment.objects.bulk_create",
                side_effect=OperationalError("gone"),
            ),
            self.assertLogs("amparo.intake", level="ERROR"),
        ):
            response = self.client.post(
                "/en/follow-up/report/",
                {"text": "Please call me", "files": [upload("p.jpg", jpeg_bytes())]},
            )
        self.assertContains(response, "Please call me", status_code=503)
        self.assertEqual(Message.objects.count(), 0)
        self.assertEqual(self.stored_files(), [])
        self.assertEqual(self.temp_uploads(), [])

    def test_it_keeps_a_message_written_while_the_session_ran_out(self) -> None:
        self.open_report(self.receipt)
        self.client.cookies.pop(reporter_session.COOKIE_NAME)
        response = self.client.post("/en/follow-up/report/", {"text": "Written slowly"})
        self.assertContains(response, "Written slowly", status_code=403)
        self.assertContains(response, "session ended while you were writing", status_code=403)
        done = self.client.post(
            "/en/follow-up/", {"receipt": self.receipt, "text": "Written slowly"}
        )
        self.assertRedirects(done, "/en/follow-up/report/")
        self.assertEqual(Message.objects.get().sender, Sender.REPORTER)

    def test_it_closes_the_report_and_the_quick_exit_ends_the_session(self) -> None:
        self.open_report(self.receipt)
        response = self.client.post("/en/follow-up/leave/")
        self.assertRedirects(response, "/en/follow-up/")
        self.assertRedirects(
            self.client.get("/en/follow-up/report/"),
            "/en/follow-up/",
            fetch_redirect_response=False,
        )
        self.open_report(self.receipt)
        exit_response = self.client.get("/en/exit/")
        self.assertEqual(exit_response.status_code, 302)
        self.assertEqual(exit_response["Location"], "https://www.wikipedia.org/")
        self.assertEqual(self.client.cookies[reporter_session.COOKIE_NAME].value, "")

    def test_it_shows_each_stage_in_plain_words(self) -> None:
        self.open_report(self.receipt)
        for stage in Stage:
            Case.objects.filter(pk=self.case.pk).update(stage=stage)
            page = self.client.get("/en/follow-up/report/")
            self.assertContains(page, str(STATUS_TEXT[stage]))

    def test_it_says_when_the_service_is_too_busy(self) -> None:
        from amparo.intake.stretching import StretchBusy

        with mock.patch(
            "amparo.intake.views.reporter.stretch_for_follow_up", side_effect=StretchBusy
        ):
            response = self.open_report(self.receipt)
        self.assertContains(response, "very busy", status_code=429)
