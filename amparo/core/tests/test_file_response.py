"""Every decrypted file leaves the same way, to staff and to reporters.

One helper (amparo.cases.downloads.file_response) serves both: these tests pin
its headers on both paths, with a name that carries path separators and a
bidi override meant to disguise an executable as a photo.
"""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from amparo.cases.downloads import FILE_CSP, file_response, safe_filename
from amparo.cases.files import stored_path
from amparo.cases.models import Attachment, Case
from amparo.cases.tests.base import add_file, make_case
from amparo.cases.vault import open_for_staff
from amparo.core.tests.test_csp import policy
from amparo.intake.tests.helpers import IntakeTestCase, jpeg_bytes, receipt_from, upload

# "..\..\photo<RLO>gpj.exe" shows as "photoexe.jpg" in a right-to-left-aware listing.
TRICKY = "C:\\Users\\ana\\..\\photo\u202egpj.exe"
FILE_POLICY = {"sandbox": [], "default-src": ["'none'"], "img-src": ["'self'"]}


def streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content)


class FileResponseTests(IntakeTestCase):
    def assertServedSafely(self, response: Any, body: bytes) -> None:
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/octet-stream")
        self.assertEqual(response["Content-Length"], str(len(body)))
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Content-Security-Policy"], FILE_CSP)
        self.assertEqual(policy(response), FILE_POLICY)
        self.assertIn("no-store", response["Cache-Control"])
        disposition = response["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment;"), disposition)
        for unsafe in ("\\", "/", "..", "\u202e", "%E2%80%AE", "Users"):
            self.assertNotIn(unsafe, disposition)
        self.assertEqual(streamed(response), body)

    def test_the_name_loses_path_separators_controls_and_bidi_marks(self) -> None:
        self.assertEqual(safe_filename(TRICKY), "photogpj.exe")
        self.assertEqual(safe_filename("../../etc/passwd"), "passwd")
        self.assertEqual(safe_filename(".htaccess"), "htaccess")
        self.assertEqual(safe_filename("a\x00b\x1b[31m.txt"), "ab[31m.txt")
        self.assertEqual(safe_filename("../.."), "attachment")
        self.assertEqual(len(safe_filename("x" * 300 + ".pdf")), 150)
        self.assertTrue(safe_filename("x" * 300 + ".pdf").endswith(".pdf"))

    def test_staff_get_the_file_through_the_one_helper(self) -> None:
        created = make_case()
        body = b"\xff\xd8\xff" + b"pixels" * 1000
        attachment = add_file(created.opened, body, name=TRICKY, content_type="image/jpeg")
        self.sign_in(self.coordinator)
        response = self.client.get(
            f"/en/staff/cases/{created.case.public_id}/files/{attachment.public_id}/"
        )
        self.assertServedSafely(response, body)
        self.assertIn("photogpj.exe", response["Content-Disposition"])

    def test_a_staff_preview_is_inline_but_still_sandboxed(self) -> None:
        created = make_case()
        photo = jpeg_bytes()
        attachment = add_file(created.opened, photo, name=TRICKY, content_type="image/jpeg")
        self.sign_in(self.coordinator)
        response = self.client.get(
            f"/en/staff/cases/{created.case.public_id}/files/{attachment.public_id}/preview/"
        )
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertTrue(response["Content-Disposition"].startswith("inline;"))
        self.assertEqual(policy(response), FILE_POLICY)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def reporter_with_file(self, name: str) -> tuple[Attachment, bytes]:
        response = self.submit(files=[upload(name, jpeg_bytes(), "image/jpeg")])
        receipt = receipt_from(response.content.decode())
        self.client = self.client_class()
        self.client.post("/en/follow-up/", {"receipt": receipt})
        case = Case.objects.get()
        attachment = Attachment.objects.get(case=case)
        opened = open_for_staff(case, self.coordinator.user, self.coordinator.private_key())
        stored = file_response(opened, attachment)
        assert stored is not None
        return attachment, streamed(stored)

    def test_a_reporter_gets_their_file_through_the_same_helper(self) -> None:
        attachment, body = self.reporter_with_file(TRICKY)
        response = self.client.get(f"/en/follow-up/files/{attachment.public_id}/")
        self.assertServedSafely(response, body)
        # The reporter's name, made harmless, with the extension of what the file is.
        self.assertIn("photogpj.jpg", response["Content-Disposition"])

    @override_settings(DEBUG=False)
    def test_a_reporter_gets_nothing_of_a_damaged_file(self) -> None:
        attachment, _body = self.reporter_with_file("photo.jpg")
        path = stored_path(attachment)
        data = bytearray(path.read_bytes())
        data[40] ^= 0x01
        path.write_bytes(bytes(data))
        with self.assertLogs("amparo.cases", level="ERROR") as logs:
            response = self.client.get(f"/en/follow-up/files/{attachment.public_id}/")
        self.assertEqual(response.status_code, 500)
        self.assertNotIn("attachment", response.get("Content-Disposition", ""))
        self.assertNotIn(b"\xff\xd8", response.content)
        self.assertIn(attachment.public_id, "\n".join(logs.output))
        self.assertEqual(policy(response)["default-src"], ["'none'"])
