"""A refused report costs little, counts toward the limits, and loses no file silently
(issue 15, items 2 and 5)."""

from __future__ import annotations

import functools
import html
import io
from typing import Any
from unittest import mock

from django.test import override_settings
from django.utils import translation
from PIL import Image

from amparo.cases.models import Case
from amparo.intake import filecheck
from amparo.intake.tests.helpers import NARRATIVE, TOKEN_RE, IntakeTestCase, report_data, upload

EXE = b"MZ\x90\x00" + bytes(300)
BOUNDARY = "----amparo-test-boundary"


@functools.cache
def huge_png() -> bytes:
    """The issue's picture: 7999 x 8000 pixels in a few kilobytes."""
    out = io.BytesIO()
    Image.new("1", (7999, 8000)).save(out, "PNG")
    return out.getvalue()


def attack() -> list[Any]:
    files = [upload(f"photo{i}.png", huge_png(), "image/png") for i in range(4)]
    return [*files, upload("setup.exe", EXE)]


def nothing_decoded() -> Any:
    """Fail if any picture is decoded, in this process or in the sandbox."""
    load = mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded"))
    sandbox = mock.patch.object(
        filecheck, "scrub_in_sandbox", side_effect=AssertionError("sent to the sandbox")
    )
    return load, sandbox


def multipart(fields: dict[str, str], files: list[tuple[bytes, bytes]]) -> bytes:
    """A body with file parts written by hand: (raw filename bytes, content)."""
    out = b""
    for name, value in fields.items():
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    for filename, content in files:
        out += (
            f"--{BOUNDARY}\r\n".encode()
            + b'Content-Disposition: form-data; name="files"; filename="'
            + filename
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + content
            + b"\r\n"
        )
    return out + f"--{BOUNDARY}--\r\n".encode()


def flat(data: dict[str, Any]) -> dict[str, str]:
    # The hand-written body carries one value per field: enough for this questionnaire.
    return {key: value[0] if isinstance(value, list) else value for key, value in data.items()}


class RefusedFilesTests(IntakeTestCase):
    def test_the_issues_attack_is_refused_without_decoding_any_picture(self) -> None:
        load, sandbox = nothing_decoded()
        with load, sandbox:
            response = self.submit(files=attack())
        self.assertEqual(response.status_code, 400)
        body = html.unescape(response.content.decode())
        for i in range(4):
            self.assertIn(f"“photo{i}.png” is a picture of more than 40 megapixels", body)
        self.assertIn("“setup.exe” is not a type of file we can accept", body)
        self.assertIn(NARRATIVE, body)
        self.assertEqual(Case.objects.count(), 0)
        self.assertEqual(self.temp_uploads(), [])

    def test_pictures_under_the_limit_are_not_decoded_when_another_file_is_refused(self) -> None:
        small = io.BytesIO()
        Image.new("RGB", (300, 200)).save(small, "PNG")
        load, sandbox = nothing_decoded()
        with load, sandbox:
            response = self.submit(
                files=[upload("ok.png", small.getvalue()), upload("setup.exe", EXE)]
            )
        self.assertEqual(response.status_code, 400)

    def test_the_refused_forms_token_cannot_carry_files_again(self) -> None:
        data = report_data(files=attack())
        first = self.client.post("/en/report/", data)
        self.assertEqual(first.status_code, 400)
        fresh = TOKEN_RE.search(first.content.decode())
        assert fresh is not None
        self.assertNotEqual(fresh.group(1), data["form_token"])
        # The same request again: answered before any file is even read.
        with mock.patch.object(filecheck, "precheck", side_effect=AssertionError("read")):
            again = self.client.post("/en/report/", report_data(form_token=data["form_token"]))
        self.assertEqual(again.status_code, 400)
        self.assertIn("it had to be renewed", again.content.decode())
        # The new token works: the person sends their report without the files.
        sent = self.client.post("/en/report/", report_data(form_token=fresh.group(1)))
        self.assertEqual(sent.status_code, 200)
        self.assertEqual(Case.objects.count(), 1)

    @override_settings(AMPARO_SUBMISSIONS_PER_CLIENT_PER_HOUR=2)
    def test_refused_submissions_with_files_count_toward_the_limit(self) -> None:
        for _ in range(2):
            self.assertEqual(self.submit(files=attack()).status_code, 400)
        self.assertEqual(self.submit().status_code, 429)
        self.assertEqual(Case.objects.count(), 0)

    @override_settings(AMPARO_SUBMISSIONS_PER_CLIENT_PER_HOUR=2)
    def test_refusals_without_files_do_not_count(self) -> None:
        for _ in range(3):
            self.assertEqual(self.submit(targeted="").status_code, 400)
        self.assertEqual(self.submit().status_code, 200)


class DroppedFilePartTests(IntakeTestCase):
    def post_parts(self, files: list[tuple[bytes, bytes]], language: str = "en") -> Any:
        body = multipart(flat(report_data()), files)
        return self.client.generic(
            "POST",
            f"/{language}/report/",
            body,
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )

    def test_files_with_names_the_parser_drops_are_reported_not_lost(self) -> None:
        for filename in (b"", b".", b"..", b"\xff\xfe-bad-utf8.jpg"):
            with self.subTest(filename=filename):
                response = self.post_parts([(filename, b"Some text the reporter wrote.\n")])
                self.assertEqual(response.status_code, 400)
                self.assertIn(
                    "arrived without a name we can use", html.unescape(response.content.decode())
                )
                self.assertEqual(Case.objects.count(), 0)

    def test_the_reporter_is_told_in_their_language_how_many(self) -> None:
        response = self.post_parts([(b".", b"first\n"), (b"..", b"second\n")], language="es")
        self.assertEqual(response.status_code, 400)
        with translation.override("es"):
            expected = filecheck.missing_message(2)
        self.assertIn(expected, html.unescape(response.content.decode()))

    def test_an_empty_file_input_is_no_missing_file(self) -> None:
        # What a browser sends when no file was chosen: an empty name and no content.
        response = self.post_parts([(b"", b"")])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Case.objects.count(), 1)

    def test_a_well_named_file_next_to_a_dropped_one_is_not_enough(self) -> None:
        response = self.post_parts([(b"notes.txt", b"kept\n"), (b"..", b"lost\n")])
        self.assertEqual(response.status_code, 400)
        self.assertIn("arrived without a name", html.unescape(response.content.decode()))


class HeadTests(IntakeTestCase):
    def test_public_pages_answer_head(self) -> None:
        for path in ("/en/", "/fr/report/", "/es/danger/", "/ar/follow-up/", "/en/report/thanks/"):
            with self.subTest(path=path):
                response = self.client.head(path)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.content, b"")
