"""Files are checked cheapest first: a refused submission decodes nothing (issue 15)."""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.test import override_settings
from django.utils import translation
from PIL import Image

from amparo.intake import filecheck
from amparo.intake.filecheck import check_files, precheck
from amparo.intake.scrub import FileKind, RejectedFile
from amparo.intake.uploads import EncryptedUpload, EncryptedUploadHandler

EXE = b"MZ\x90\x00" + bytes(200)  # a Windows executable's first bytes


@functools.cache
def huge_png() -> bytes:
    """The issue's image: 7999 x 8000 (64 Mpx) that compresses to a few kilobytes."""
    out = io.BytesIO()
    Image.new("1", (7999, 8000)).save(out, "PNG")
    return out.getvalue()


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def uploaded(name: str, data: bytes) -> EncryptedUpload:
    """An EncryptedUpload made the way the parser makes it."""
    handler = EncryptedUploadHandler()
    with pytest.raises(Exception):  # noqa: B017 - StopFutureHandlers, by design
        handler.new_file("files", name, "application/octet-stream", len(data))
    for start in range(0, len(data), 65536):
        handler.receive_data_chunk(data[start : start + 65536], start)
    upload = handler.file_complete(len(data))
    assert upload is not None
    return upload


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Any, settings: Any) -> Iterator[None]:
    settings.DATA_DIR = tmp_path
    with translation.override("en"):
        yield


def no_decoding() -> Any:
    """Fail the test if any image is decoded, here or in the sandbox."""
    return (
        mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded in process")),
        mock.patch.object(
            filecheck, "scrub_in_sandbox", side_effect=AssertionError("sent to be decoded")
        ),
    )


def test_the_issues_attack_is_refused_without_decoding_anything() -> None:
    uploads = [uploaded(f"photo{i}.png", huge_png()) for i in range(4)]
    uploads.append(uploaded("tool.exe", EXE))
    load, sandbox = no_decoding()
    with load, sandbox, translation.override("en"):
        check = check_files(uploads)
    assert check.prepared == []
    assert len(check.errors) == 5
    assert all("megapixels" in error for error in check.errors[:4])
    assert "“tool.exe” is not a type of file we can accept" in check.errors[4]


def test_one_refused_file_stops_the_others_from_being_decoded() -> None:
    uploads = [uploaded("a.png", small_png()), uploaded("b.png", small_png())]
    uploads.append(uploaded("tool.exe", EXE))
    load, sandbox = no_decoding()
    with load, sandbox:
        check = check_files(uploads)
    assert check.prepared == [] and len(check.errors) == 1


def test_files_that_pass_the_cheap_checks_are_scrubbed_in_the_sandbox() -> None:
    calls: list[int] = []
    real = filecheck.scrub_in_sandbox

    def counting(data: bytes, **kwargs: Any) -> Any:
        calls.append(len(data))
        return real(data, **kwargs)

    uploads = [uploaded("a.png", small_png()), uploaded("notes.txt", b"Plain words.\n")]
    with mock.patch.object(filecheck, "scrub_in_sandbox", side_effect=counting):
        check = check_files(uploads)
    assert check.errors == []
    assert [f.name for f in check.prepared] == ["a.png", "notes.txt"]
    assert len(calls) == 1  # text needs no decoding, so no child process


def test_the_first_refusal_in_the_sandbox_stops_the_rest() -> None:
    uploads = [uploaded(f"{i}.png", small_png()) for i in range(3)]
    with mock.patch.object(
        filecheck, "scrub_in_sandbox", side_effect=RejectedFile("too_costly")
    ) as sandbox:
        check = check_files(uploads)
    assert sandbox.call_count == 1
    assert check.prepared == []
    assert "could not be checked in the time and memory" in check.errors[0]


@override_settings(AMPARO_MAX_IMAGE_PIXELS=1000)
def test_the_pixel_limit_is_a_setting_with_its_own_translated_message() -> None:
    with pytest.raises(RejectedFile) as caught:
        precheck(small_png(), max_pixels=filecheck.max_image_pixels())
    assert caught.value.code == "pixels"
    assert precheck(small_png(), max_pixels=2400) is FileKind.PNG
    with translation.override("fr"):
        message = filecheck.refusal("pixels", "x.png")
    assert "mégapixels" in message


def test_pillows_own_guard_is_set_to_the_limit() -> None:
    assert Image.MAX_IMAGE_PIXELS == filecheck.max_image_pixels() == 40_000_000


def test_a_missing_file_part_is_reported_first() -> None:
    with translation.override("es"):
        check = check_files([], missing=2)
    assert len(check.errors) == 1 and "2" in check.errors[0]
