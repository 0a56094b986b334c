import contextlib
import gc
import hashlib
import io
import logging
import os
import pickle
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.urls import path
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from amparo.crypto import DecryptionError
from amparo.intake import uploads
from amparo.intake.uploads import EncryptedUpload, EncryptedUploadHandler, purge_stale_uploads

# Long enough that every 64 KiB chunk written to disk would contain it whole.
MARKER = b"PLAINTEXT-MARKER-Maria-Witness-"
SECRET_NAME = "statement-of-maria-witness.jpg"


class WatchfulHandler(EncryptedUploadHandler):
    """After every chunk, look at everything on disk for the plaintext and the name."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        result = super().receive_data_chunk(raw_data, start)
        seen["chunks"] += 1
        assert_nothing_readable_on_disk()
        return result


seen: dict[str, Any] = {}


def assert_nothing_readable_on_disk() -> None:
    directory = uploads.upload_dir()
    started = seen["started"]
    places = [directory, Path(tempfile.gettempdir())]
    for place in places:
        if not place.is_dir():
            continue
        for entry in place.iterdir():
            assert SECRET_NAME not in entry.name
            if not entry.is_file() or entry.stat().st_mtime < started:
                continue
            with contextlib.suppress(PermissionError, FileNotFoundError):
                content = entry.read_bytes()
                assert MARKER not in content
                assert SECRET_NAME.encode() not in content


@csrf_exempt
def upload_view(request: HttpRequest) -> HttpResponse:
    # The documented pattern: handlers first, then the CSRF check reads the body.
    request.upload_handlers = [WatchfulHandler(request)]
    return _upload_view(request)


@csrf_protect
def _upload_view(request: HttpRequest) -> HttpResponse:
    files = [
        upload for upload in request.FILES.getlist("files") if isinstance(upload, EncryptedUpload)
    ]
    assert len(files) == len(request.FILES.getlist("files"))
    directory = uploads.upload_dir()
    on_disk = sorted(directory.iterdir()) if directory.is_dir() else []
    assert_nothing_readable_on_disk()
    seen["directory_mode"] = stat.S_IMODE(directory.stat().st_mode) if on_disk else None
    seen["file_modes"] = {stat.S_IMODE(entry.stat().st_mode) for entry in on_disk}
    seen["file_names"] = [entry.name for entry in on_disk]
    seen["uploads"] = files
    seen["stored"] = [upload.stored for upload in files]
    seen["plaintext"] = []
    for upload in files:
        if upload.stored:
            with upload.open_plaintext() as stream:
                seen["plaintext"].append(stream.read())
        else:
            seen["plaintext"].append(None)
    if request.POST.get("fail"):
        raise RuntimeError("the view failed")
    return HttpResponse("ok")


urlpatterns = [path("upload/", upload_view)]


@pytest.fixture(autouse=True)
def _private_data_dir(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.DATA_DIR = tmp_path
    settings.ROOT_URLCONF = __name__
    seen.clear()
    seen.update(started=time.time() - 1, chunks=0)
    yield


def post(*files: tuple[str, bytes], **fields: str) -> HttpResponse:
    client = Client(raise_request_exception=False)
    payload: dict[str, Any] = {
        "files": [SimpleUploadedFile(name, content) for name, content in files],
        **fields,
    }
    response = client.post("/upload/", payload)
    return response  # type: ignore[return-value]


def leftovers() -> list[str]:
    directory = uploads.upload_dir()
    return sorted(entry.name for entry in directory.iterdir()) if directory.is_dir() else []


def test_it_never_puts_the_plaintext_or_the_name_on_disk() -> None:
    content = MARKER * (300_000 // len(MARKER))  # several chunks
    response = post((SECRET_NAME, content), ("second.txt", MARKER * 10))

    assert response.status_code == 200
    assert seen["chunks"] >= 5  # looked at the disk after every chunk, not just at the end
    assert seen["directory_mode"] == 0o700
    assert seen["file_modes"] == {0o600}
    assert len(seen["file_names"]) == 2
    for name in seen["file_names"]:
        assert len(name) == len("0" * 32 + ".upload")  # random, says nothing
    assert [upload.name for upload in seen["uploads"]] == [SECRET_NAME, "second.txt"]
    assert seen["plaintext"] == [content, MARKER * 10]


def test_it_returns_exactly_the_uploaded_bytes_of_a_3_mb_file() -> None:
    content = os.urandom(3 * 1024 * 1024)
    post(("evidence.bin", content))
    [upload] = seen["uploads"]
    assert upload.size == len(content)
    assert not (upload.too_large or upload.too_many or upload.empty)
    assert hashlib.sha256(seen["plaintext"][0]).digest() == hashlib.sha256(content).digest()
    # Stored padded and encrypted: never the plaintext size, never the plaintext.
    assert leftovers() == []


def test_it_flags_a_file_over_the_size_limit_and_keeps_nothing_of_it(
    settings: Any,
) -> None:
    settings.AMPARO_MAX_FILE_BYTES = 100_000
    post(("fits.bin", b"a" * 100_000), ("big.bin", MARKER * 10_000), ("after.bin", b"c"))

    fits, big, after = seen["uploads"]
    assert (fits.too_large, fits.size) == (False, 100_000)
    assert (big.too_large, big.name, big.size) == (True, "big.bin", 310_000)
    assert not after.too_large
    assert seen["stored"] == [True, False, True]
    assert len(seen["file_names"]) == 2  # the cut-off part was deleted at once
    assert seen["plaintext"] == [b"a" * 100_000, None, b"c"]
    with pytest.raises(ValueError):
        big.open_plaintext().__enter__()


def test_it_flags_files_beyond_the_count_limit(settings: Any) -> None:
    files = [(f"file-{n}.txt", f"content {n}".encode()) for n in range(6)]
    post(*files)

    assert [upload.too_many for upload in seen["uploads"]] == [False] * 5 + [True]
    sixth = seen["uploads"][5]
    assert (sixth.name, sixth.size) == ("file-5.txt", 9)
    assert seen["stored"] == [True] * 5 + [False]
    assert len(seen["file_names"]) == 5
    assert seen["plaintext"][:5] == [content for _, content in files[:5]]

    settings.AMPARO_MAX_FILES = 2
    post(*files[:3])
    assert [upload.too_many for upload in seen["uploads"]] == [False, False, True]


def test_it_flags_an_empty_file() -> None:
    post(("empty.txt", b""), ("full.txt", b"x"))
    empty, full = seen["uploads"]
    assert (empty.empty, empty.size) == (True, 0)
    assert seen["stored"] == [True, True]
    assert not full.empty
    assert seen["plaintext"] == [b"", b"x"]


def test_it_deletes_the_temporary_files_when_the_request_ends() -> None:
    post(("a.txt", MARKER), ("b.txt", MARKER))
    assert len(seen["file_names"]) == 2
    assert leftovers() == []
    assert all(not upload.stored for upload in seen["uploads"])


def test_it_deletes_the_temporary_files_when_the_view_fails() -> None:
    response = post(("a.txt", MARKER), fail="1")
    assert response.status_code == 500
    assert len(seen["file_names"]) == 1
    assert leftovers() == []


def multipart(*files: tuple[str, bytes], boundary: str = "BoUnDaRy") -> bytes:
    body = b""
    for name, content in files:
        body += (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="files"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode()


def parse(body: bytes, handler: EncryptedUploadHandler | None = None) -> tuple[QueryDict, Any]:
    meta = {
        "CONTENT_TYPE": "multipart/form-data; boundary=BoUnDaRy",
        "CONTENT_LENGTH": str(len(body)),
    }
    parser = MultiPartParser(meta, io.BytesIO(body), [handler or EncryptedUploadHandler()])
    return parser.parse()


def test_it_deletes_what_it_stored_of_an_interrupted_upload() -> None:
    body = multipart(("cut.bin", MARKER * 20_000))
    handler = EncryptedUploadHandler()
    _, files = parse(body[: len(body) // 2], handler)  # the connection dropped mid-file
    assert not files
    assert leftovers() == []


def test_it_deletes_a_temporary_file_once_nothing_refers_to_it() -> None:
    _, files = parse(multipart(("a.bin", MARKER)))
    assert len(leftovers()) == 1
    del files
    gc.collect()
    assert leftovers() == []


def test_it_discards_idempotently_and_then_refuses_to_open() -> None:
    _, files = parse(multipart(("a.bin", MARKER)))
    upload = files["files"]
    upload.discard()
    upload.discard()
    upload.close()
    assert leftovers() == []
    with pytest.raises(ValueError), upload.open_plaintext():
        pass


def test_it_streams_the_plaintext_in_pieces() -> None:
    content = os.urandom(500_000)
    _, files = parse(multipart(("a.bin", content)))
    with files["files"].open_plaintext() as stream:
        pieces = iter(lambda: stream.read(10_000), b"")
        assert b"".join(pieces) == content


def test_it_notices_a_temporary_file_changed_on_disk() -> None:
    _, files = parse(multipart(("a.bin", MARKER * 5000)))
    [name] = leftovers()
    target = uploads.upload_dir() / name
    tampered = bytearray(target.read_bytes())
    tampered[100] ^= 1
    target.write_bytes(bytes(tampered))
    with pytest.raises(DecryptionError), files["files"].open_plaintext() as stream:
        stream.read()


def test_it_cannot_be_read_saved_or_pickled_by_mistake() -> None:
    _, files = parse(multipart((SECRET_NAME, MARKER)))
    upload = files["files"]
    attempts = (
        lambda: upload.read(),
        lambda: list(upload.chunks()),
        lambda: list(upload),
        lambda: upload.open(),
    )
    for attempt in attempts:
        with pytest.raises((AttributeError, io.UnsupportedOperation)):
            attempt()
    with pytest.raises(TypeError):
        pickle.dumps(upload)
    # Error pages and logs print reprs: the name must not be in them.
    assert SECRET_NAME not in repr(upload)
    assert SECRET_NAME not in str(upload)
    assert SECRET_NAME not in repr(files)


def test_it_logs_nothing_about_the_file(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    post((SECRET_NAME, MARKER * 100))
    assert SECRET_NAME not in caplog.text
    assert MARKER.decode() not in caplog.text


def test_it_stops_later_handlers_from_seeing_the_file() -> None:
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    body = multipart(("a.bin", MARKER * 20_000))
    meta = {
        "CONTENT_TYPE": "multipart/form-data; boundary=BoUnDaRy",
        "CONTENT_LENGTH": str(len(body)),
    }
    behind = TemporaryFileUploadHandler()
    handlers = [EncryptedUploadHandler(), behind]
    _, files = MultiPartParser(meta, io.BytesIO(body), handlers).parse()
    assert isinstance(files["files"], EncryptedUpload)
    assert not hasattr(behind, "file")  # it never even opened a temporary file


def test_it_purges_only_its_own_stale_files() -> None:
    directory = uploads.upload_dir()
    directory.mkdir(mode=0o700)
    old, fresh, foreign = "a" * 32 + ".upload", "b" * 32 + ".upload", "notes.txt"
    for name in (old, fresh, foreign):
        (directory / name).write_bytes(b"x")
    two_hours_ago = time.time() - 7200
    os.utime(directory / old, (two_hours_ago, two_hours_ago))
    os.utime(directory / foreign, (two_hours_ago, two_hours_ago))

    assert purge_stale_uploads() == 1
    assert leftovers() == sorted([fresh, foreign])
    assert purge_stale_uploads(now=time.time() + 7200) == 1
    assert leftovers() == [foreign]


def test_it_purges_from_new_uploads_now_and_then(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[float] = []

    def purge() -> int:
        calls.append(time.time())
        return 0

    monkeypatch.setattr(uploads, "purge_stale_uploads", purge)
    monkeypatch.setattr(uploads, "_next_purge", 0.0)
    for _ in range(3):
        parse(multipart(("a.bin", b"x"), ("b.bin", b"y")))
    assert len(calls) == 1  # once per interval, not once per file


def test_it_tightens_a_loose_upload_directory() -> None:
    directory = uploads.upload_dir()
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)  # noqa: S103 - the loose directory under test
    parse(multipart(("a.bin", b"x")))
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_it_treats_a_purged_temporary_file_as_discarded() -> None:
    _, files = parse(multipart(("a.bin", MARKER)))
    assert purge_stale_uploads(now=time.time() + 7200) == 1
    with pytest.raises(ValueError), files["files"].open_plaintext():
        pass
