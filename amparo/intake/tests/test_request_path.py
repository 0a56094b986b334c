"""A submission's request path (issue 12): the receipt is stretched beside the scrubbing
of the files, never for a refused or replayed form; the questions' fields are built
once per process and each form gets its own copy of them."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

from django.utils import translation

from amparo.cases.models import Case
from amparo.cases.vault import lookup_for_receipt
from amparo.intake import filecheck, stretching
from amparo.intake import questionnaire as q
from amparo.intake.forms import ReportForm, make_token
from amparo.intake.templatetags import desk_text
from amparo.intake.tests.helpers import (
    IntakeTestCase,
    jpeg_bytes,
    receipt_from,
    report_data,
    upload,
)
from amparo.intake.tests.test_process_cache import MemoOn
from amparo.lib import process_cache

EXE = b"MZ\x90\x00" + bytes(200)


class StretchBesideScrubbingTests(IntakeTestCase):
    def watch(self) -> tuple[dict[str, Any], Any, Any]:
        """Patches that count the stretches and the scrubbings, and record whether the
        stretch ran while the sandbox's child held its job."""
        seen: dict[str, Any] = {"stretches": 0, "scrubs": 0, "beside": False}
        inside: list[bool] = []
        real_stretch = stretching.stretch_for_submission
        real_scrub = filecheck.scrub_in_sandbox

        def stretch(receipt: str) -> tuple[str, bytes]:
            seen["stretches"] += 1
            seen["thread"] = threading.current_thread().name
            seen["beside"] = bool(inside)
            return real_stretch(receipt)

        def scrub(data: bytes, **kwargs: Any) -> Any:
            seen["scrubs"] += 1
            inside.append(True)
            try:
                return real_scrub(data, **kwargs)
            finally:
                inside.clear()

        return (
            seen,
            mock.patch.object(stretching, "stretch_for_submission", side_effect=stretch),
            mock.patch.object(filecheck, "scrub_in_sandbox", side_effect=scrub),
        )

    def test_a_photo_is_scrubbed_while_the_receipt_is_stretched(self) -> None:
        seen, stretch, scrub = self.watch()
        with stretch, scrub:
            response = self.submit(files=[upload("photo.jpg", jpeg_bytes(gps=True))])
        self.assertEqual(response.status_code, 200)
        self.assertEqual((seen["stretches"], seen["scrubs"]), (1, 1))
        self.assertTrue(seen["beside"])  # inside the sandbox call, the child holding its job
        self.assertEqual(seen["thread"], threading.current_thread().name)  # no thread of its own
        # The receipt shown opens the stored report.
        receipt = receipt_from(response.content.decode())
        case = Case.objects.get()
        self.assertEqual(case.reporter_lookup, lookup_for_receipt(receipt)[0])
        self.assertEqual(case.attachments.count(), 1)

    def test_a_report_without_files_stretches_in_the_request_itself(self) -> None:
        seen, stretch, scrub = self.watch()
        with stretch, scrub:
            response = self.submit()
        self.assertEqual(response.status_code, 200)
        self.assertEqual((seen["stretches"], seen["scrubs"]), (1, 0))
        self.assertFalse(seen["beside"])
        receipt = receipt_from(response.content.decode())
        self.assertEqual(Case.objects.get().reporter_lookup, lookup_for_receipt(receipt)[0])

    def test_a_refused_file_costs_no_stretching(self) -> None:
        seen, stretch, scrub = self.watch()
        with stretch, scrub:
            response = self.submit(files=[upload("tool.exe", EXE)])
        self.assertEqual(response.status_code, 400)
        self.assertEqual((seen["stretches"], seen["scrubs"]), (0, 0))
        self.assertEqual(Case.objects.count(), 0)

    def test_a_file_refused_in_the_sandbox_stores_nothing(self) -> None:
        seen, stretch, _scrub = self.watch()
        refuse = mock.patch.object(
            filecheck, "scrub_in_sandbox", side_effect=filecheck.RejectedFile("corrupt")
        )
        with stretch, refuse:
            response = self.submit(files=[upload("photo.jpg", jpeg_bytes())])
        self.assertEqual(response.status_code, 400)
        self.assertEqual(seen["stretches"], 0)  # the mock never hands work to wait beside
        self.assertEqual(Case.objects.count(), 0)

    def test_a_replayed_form_is_answered_before_its_files_are_looked_at(self) -> None:
        token = make_token(q.SHIPPED_VERSION)
        first = self.submit(form_token=token, files=[upload("photo.jpg", jpeg_bytes())])
        self.assertEqual(first.status_code, 200)
        seen, stretch, scrub = self.watch()
        with stretch, scrub:
            again = self.submit(form_token=token, files=[upload("photo.jpg", jpeg_bytes())])
        self.assertEqual(again.status_code, 409)
        self.assertEqual((seen["stretches"], seen["scrubs"]), (0, 0))
        self.assertEqual(Case.objects.count(), 1)


class SubmissionStretchTests(IntakeTestCase):
    def test_an_error_while_scrubbing_is_raised_by_the_result(self) -> None:
        boom = mock.patch.object(
            stretching, "stretch_for_submission", side_effect=OSError("no slot directory")
        )
        with boom:
            stretch = stretching.SubmissionStretch("1234")
            stretch.run()  # inside the sandbox call: must not raise there
            with self.assertRaises(OSError):
                stretch.result()

    def test_run_or_not_it_gives_the_keys_of_the_receipt_once(self) -> None:
        receipt = "1234 5678 9012 3456 7890 1234 5678"
        expected = lookup_for_receipt(receipt)
        inline = stretching.SubmissionStretch(receipt)
        beside = stretching.SubmissionStretch(receipt)
        with mock.patch.object(
            stretching, "stretch_for_submission", wraps=stretching.stretch_for_submission
        ) as counted:
            beside.run()
            beside.run()
            self.assertEqual(beside.result(), expected)
            self.assertEqual(inline.result(), expected)
        self.assertEqual(counted.call_count, 2)


class KeptFieldsTests(MemoOn, IntakeTestCase):
    def test_each_form_has_its_own_copy_of_the_kept_fields(self) -> None:
        definition = q.current()
        with translation.override("en"):
            first = ReportForm(definition, "en")
            second = ReportForm(definition, "en")
        self.assertTrue(
            any(
                isinstance(key, tuple) and key[0] == "report-form-fields"
                for key in process_cache._values
            ),
            "the built fields are kept",
        )
        for name in first.fields:
            self.assertIsNot(first.fields[name], second.fields[name])
            self.assertIsNot(first.fields[name].widget, second.fields[name].widget)
        first.fields["country"].widget.attrs["data-x"] = "1"
        first.fields["what_happened"].error_messages["required"] = "changed"
        self.assertNotIn("data-x", second.fields["country"].widget.attrs)
        self.assertNotEqual(second.fields["what_happened"].error_messages["required"], "changed")
        self.assertEqual(
            list(first.fields["country"].choices),  # type: ignore[attr-defined]
            list(second.fields["country"].choices),  # type: ignore[attr-defined]
        )

    def test_a_language_gets_its_own_fields(self) -> None:
        definition = q.current()
        with translation.override("fr"):
            french = ReportForm(definition, "fr")
        with translation.override("en"):
            english = ReportForm(definition, "en")
        self.assertIn(("FR", "France"), list(english.fields["country"].choices))  # type: ignore[attr-defined]
        self.assertNotEqual(
            english.fields["consent_store"].label, french.fields["consent_store"].label
        )
        self.assertEqual(
            english.fields["consent_store"].label, english.consent_choices[0]["label"]["en"]
        )

    def test_kept_fields_check_each_form_on_its_own(self) -> None:
        definition = q.current()
        base = report_data()
        with translation.override("en"):
            good = ReportForm(definition, "en", data={**base, "country": "UG"})
            bad = ReportForm(definition, "en", data={**base, "country": "XX"})
            self.assertTrue(good.is_valid(), good.errors)
            self.assertFalse(bad.is_valid())
        self.assertIn("country", bad.errors)
        self.assertEqual(good.answers()["country"], "UG")

    def test_desk_texts_are_linked_once(self) -> None:
        text = "Call +353 1 210 0489 or see https://example.org/help."
        first = desk_text.desk_text(text)
        with mock.patch.object(desk_text, "_linked", side_effect=AssertionError("again")):
            again = desk_text.desk_text(text)
        self.assertEqual(first, again)
        self.assertIn('href="tel:+35312100489"', again)
