"""Attachments: decrypted downloads, inline image previews, and damaged files."""

from __future__ import annotations

from typing import Any

from amparo.audit.models import AuditEvent
from amparo.cases.downloads import safe_filename
from amparo.cases.files import stored_path
from amparo.cases.tests.base import DeskTestCase, add_file, make_case
from amparo.crypto import DecryptionError

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def chunks(response: Any) -> Any:
    return response.streaming_content


def streamed(response: Any) -> bytes:
    return b"".join(chunks(response))


class DownloadTests(DeskTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.created = make_case()
        self.sign_in(self.coordinator)

    def url(self, attachment, suffix: str = "") -> str:  # type: ignore[no-untyped-def]
        return self.case_url(self.created.case, f"files/{attachment.public_id}/{suffix}")

    def test_it_downloads_the_decrypted_file_under_a_safe_name(self) -> None:
        body = b"%PDF-1.7 statement " * 5000
        attachment = add_file(self.created.opened, body, name="../../Déclaration\u202egpj.pdf")
        response = self.client.get(self.url(attachment))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(streamed(response), body)
        self.assertEqual(response["Content-Type"], "application/octet-stream")
        self.assertEqual(response["Content-Length"], str(len(body)))
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", response["Content-Security-Policy"])
        self.assertEqual(response["Cache-Control"], "no-store")
        disposition = response["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment;"))
        self.assertIn("filename*=utf-8''D%C3%A9clarationgpj.pdf", disposition)
        self.assertNotIn("..", disposition)
        event = AuditEvent.objects.filter(action="file_downloaded").get()
        self.assertEqual(event.details, {"attachment": attachment.public_id, "inline": False})
        self.assertEqual(event.target_id, self.created.case.public_id)

    def test_it_previews_images_inline_with_their_type(self) -> None:
        image = add_file(self.created.opened, PNG, name="photo.png", content_type="image/png")
        response = self.client.get(self.url(image, "preview/"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertTrue(response["Content-Disposition"].startswith("inline;"))
        self.assertIn("sandbox", response["Content-Security-Policy"])
        self.assertEqual(streamed(response), PNG)
        page = self.client.get(self.case_url(self.created.case))
        self.assertContains(page, f'src="{self.url(image, "preview/")}"')

    def test_it_never_previews_other_types(self) -> None:
        svg = add_file(
            self.created.opened,
            b"<svg onload=alert(1)>",
            name="x.svg",
            content_type="image/svg+xml",
        )
        html = add_file(self.created.opened, b"<script>", name="x.html", content_type="text/html")
        for attachment in (svg, html):
            self.assertEqual(self.client.get(self.url(attachment, "preview/")).status_code, 404)
        self.assertNotContains(self.client.get(self.case_url(self.created.case)), "<img")

    def test_it_answers_404_for_an_attachment_of_another_case(self) -> None:
        other = make_case()
        foreign = add_file(other.opened, b"other", name="other.pdf")
        url = self.case_url(self.created.case, f"files/{foreign.public_id}/")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(
            self.client.get(self.case_url(self.created.case, "files/nope/")).status_code, 404
        )

    def test_it_refuses_a_damaged_file_before_sending_anything(self) -> None:
        attachment = add_file(self.created.opened, b"evidence" * 10, name="e.pdf")
        path = stored_path(attachment)
        data = bytearray(path.read_bytes())
        data[40] ^= 0x01
        path.write_bytes(bytes(data))
        with self.assertLogs("amparo.cases", level="ERROR"):
            response = self.client.get(self.url(attachment))
        self.assertContains(response, "This file could not be decrypted", status_code=500)
        self.assertFalse(AuditEvent.objects.filter(action="file_downloaded").exists())

    def test_it_stops_a_download_whose_end_was_cut_off(self) -> None:
        # Only the end of the stream proves the file whole: the response
        # starts, then fails, and falls short of its Content-Length.
        body = bytes(range(256)) * 2000
        attachment = add_file(self.created.opened, body, name="big.bin")
        path = stored_path(attachment)
        path.write_bytes(path.read_bytes()[:-100])
        response = self.client.get(self.url(attachment))
        self.assertEqual(response.status_code, 200)
        received = bytearray()
        with self.assertLogs("amparo.cases", level="ERROR"), self.assertRaises(DecryptionError):
            for chunk in chunks(response):
                received += chunk
        self.assertLess(len(received), int(response["Content-Length"]))

    def test_it_makes_file_names_harmless(self) -> None:
        self.assertEqual(safe_filename("C:\\Users\\me\\photo.jpg"), "photo.jpg")
        self.assertEqual(safe_filename("../../etc/passwd"), "passwd")
        self.assertEqual(safe_filename(".htaccess"), "htaccess")
        self.assertEqual(safe_filename("a\r\nb\x00.txt"), "ab.txt")
        self.assertEqual(safe_filename(""), "attachment")
        self.assertEqual(safe_filename('re"port<1>.pdf'), "re_port_1_.pdf")
        long = safe_filename("x" * 300 + ".pdf")
        self.assertEqual(len(long), 150)
        self.assertTrue(long.endswith(".pdf"))
        self.assertEqual(safe_filename("تقرير.pdf"), "تقرير.pdf")
