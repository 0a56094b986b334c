"""Checking the files of a report or a reporter's message, cheapest checks first.

A refused report must not cost seconds of CPU again and again (issue 15): an attacker
could send a valid form with four images that each decode to 200 MB and one .exe, over
and over. So files are checked in two passes:

1. For every file, without decoding anything: whether it arrived whole, its size, its
   kind (sniffed from the content, never the name), and for an image the pixel count
   its header declares (over AMPARO_MAX_IMAGE_PIXELS it is refused here). Every refusal
   of this pass is collected, so that the reporter learns about all of them at once;
   if there is any, the second pass never starts and no image is decoded.
2. Only when every file passed: each file that needs decoding (images, PDFs, office
   packages) is scrubbed in a bounded child process (amparo.intake.sandbox: memory and
   time limits), stopping at the first refusal.

Messages name the file as the reporter named it and are translated; nothing here logs
a name or a byte of content.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import GifImagePlugin, Image, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

from amparo.crypto import DecryptionError
from amparo.intake.actions import PreparedFile
from amparo.intake.sandbox import SandboxUnavailable, scrub_in_sandbox
from amparo.intake.scrub import FileKind, RejectedFile, ScrubbedFile, scrub_upload
from amparo.intake.scrub.sniffing import identify
from amparo.intake.uploads import EncryptedUpload, max_file_bytes, max_files

logger = logging.getLogger("amparo.intake")

DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
DEFAULT_SCRUB_SECONDS = 15
DEFAULT_SCRUB_MEMORY_MIB = 768

# Kinds whose scrubbing decodes or rewrites attacker-shaped structures: done in the
# sandbox. Text, audio and video pass through unchanged and need no child process.
_DECODED = {
    FileKind.JPEG, FileKind.PNG, FileKind.GIF, FileKind.WEBP, FileKind.PDF,
    FileKind.DOCX, FileKind.XLSX, FileKind.PPTX, FileKind.ODT, FileKind.ODS,
}  # fmt: skip


_HEADER_READERS: dict[FileKind, Callable[[io.BytesIO], Image.Image]] = {
    FileKind.JPEG: JpegImagePlugin.JpegImageFile,
    FileKind.PNG: PngImagePlugin.PngImageFile,
    FileKind.GIF: GifImagePlugin.GifImageFile,
    FileKind.WEBP: WebPImagePlugin.WebPImageFile,
}


def max_image_pixels() -> int:
    """The largest image accepted, in pixels (AMPARO_MAX_IMAGE_PIXELS, default 40 million)."""
    return int(getattr(settings, "AMPARO_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS))


def scrub_seconds() -> int:
    return int(getattr(settings, "AMPARO_SCRUB_SECONDS", DEFAULT_SCRUB_SECONDS))


def scrub_memory_bytes() -> int:
    return int(getattr(settings, "AMPARO_SCRUB_MEMORY_MIB", DEFAULT_SCRUB_MEMORY_MIB)) << 20


def set_pillow_limit() -> None:
    """Pillow's own decompression-bomb guard, set deliberately to our limit.

    Image.open() warns over MAX_IMAGE_PIXELS and refuses over twice that; the header
    check below refuses first, and the sandbox turns the warning into a refusal too.
    """
    Image.MAX_IMAGE_PIXELS = max_image_pixels()


# --- Pass 1: cheap checks --------------------------------------------------------------


def declared_pixels(data: bytes, kind: FileKind) -> int:
    """Width x height as the image's header declares it; no pixel is decoded.

    Raises RejectedFile("corrupt") when the header cannot be read.
    """
    try:
        # The format's own class reads the header only (decoding happens at load(),
        # never called here), and, unlike Image.open(), does not warn about bombs: we
        # refuse them ourselves, with our own message.
        with _HEADER_READERS[kind](io.BytesIO(data)) as image:
            width, height = image.size
    except Exception:  # hostile input: header parsers raise anything
        raise RejectedFile("corrupt", "image header did not parse") from None
    return int(width) * int(height)


def precheck(data: bytes, *, max_pixels: int) -> FileKind:
    """The file's kind, or RejectedFile: "type", "pixels", "corrupt". Decodes nothing."""
    kind = sniff_complete(data)
    if kind is None:
        raise RejectedFile("type", "content matches no allowed kind")
    if kind in _HEADER_READERS and declared_pixels(data, kind) > max_pixels:
        raise RejectedFile("pixels", "image has too many pixels")
    return kind


def sniff_complete(data: bytes) -> FileKind | None:
    """The kind of a complete file (ZIP-based kinds need the whole file)."""
    return identify(data, complete=True)


# --- The check the views run --------------------------------------------------------------


@dataclass
class FileCheck:
    prepared: list[PreparedFile]
    errors: list[str]
    names: list[str]  # every file the person chose, to ask for them again


def _bytes_opener(data: bytes) -> Callable[[], Any]:
    return lambda: io.BytesIO(data)


def _read(upload: EncryptedUpload) -> bytes:
    with upload.open_plaintext() as stream:
        return stream.read(max_file_bytes() + 1)


def check_files(
    uploads: list[EncryptedUpload],
    *,
    missing: int = 0,
    while_scrubbing: Callable[[], object] | None = None,
) -> FileCheck:
    """Check and scrub the uploads; a plain, translated message for each refusal.

    ``missing``: file parts the browser sent that the parser could not deliver (see
    uploads.FilePartCounter); the reporter is told, never left to think they arrived.
    ``while_scrubbing``: called while the sandbox's child process scrubs the first file
    that needs one (every file having passed the cheap checks), before its answer is
    awaited: a new report stretches its receipt there, so that the two run on two
    cores at once. Not called when no file goes to the sandbox.
    """
    max_pixels = max_image_pixels()
    check = FileCheck(prepared=[], errors=[], names=[])
    too_many = False
    kinds: list[FileKind | None] = []
    for upload in uploads:
        name = upload.name or _("(a file without a name)")
        check.names.append(name)
        kinds.append(None)
        if upload.too_many:
            too_many = True
            continue
        if upload.too_large:
            check.errors.append(refusal("too_large", name))
            continue
        if upload.empty:
            check.errors.append(_("“%(name)s” is empty.") % {"name": name})
            continue
        try:
            data = _read(upload)
        except (ValueError, DecryptionError):
            check.errors.append(refusal("incomplete", name))
            continue
        if len(data) > max_file_bytes():
            check.errors.append(refusal("too_large", name))
            continue
        try:
            kinds[-1] = precheck(data, max_pixels=max_pixels)
        except RejectedFile as rejected:
            check.errors.append(refusal(rejected.code, name))
        del data
    if too_many:
        check.errors.insert(
            0,
            _("You can attach at most %(count)d files to one message. Please leave some out.")
            % {"count": max_files()},
        )
    if missing > 0:
        check.errors.insert(0, missing_message(missing))
    if check.errors:
        return check  # nothing decoded: a refused submission costs no decoding
    for upload, name, kind in zip(uploads, check.names, kinds, strict=True):
        try:
            cleaned = _scrub(_read(upload), kind, while_scrubbing)
            while_scrubbing = None  # once, beside the first child
        except RejectedFile as rejected:
            check.errors.append(refusal(rejected.code, name))
            check.prepared = []
            return check  # stop at the first refusal: no more decoding for this request
        except (ValueError, DecryptionError):
            check.errors.append(refusal("incomplete", name))
            check.prepared = []
            return check
        check.prepared.append(
            PreparedFile(
                name=safe_name(name, cleaned.extension),
                content_type=cleaned.content_type,
                scrubbed=cleaned.metadata_removed,
                open=_bytes_opener(cleaned.data),
            )
        )
    return check


def _scrub(
    data: bytes, kind: FileKind | None, while_waiting: Callable[[], object] | None = None
) -> ScrubbedFile:
    if kind not in _DECODED:
        return scrub_upload(io.BytesIO(data), max_bytes=max_file_bytes())
    try:
        return scrub_in_sandbox(
            data,
            max_bytes=max_file_bytes(),
            max_pixels=max_image_pixels(),
            memory_bytes=scrub_memory_bytes(),
            seconds=scrub_seconds(),
            while_waiting=while_waiting,
        )
    except SandboxUnavailable as error:
        # Fail closed: never decode hostile files unbounded in the web worker.
        logger.error("file sandbox unavailable: %s", error)
        raise RejectedFile("too_costly", "sandbox unavailable") from None


def safe_name(name: str, extension: str) -> str:
    """The name with the extension of what the file really is.

    "invoice.pdf.exe" holding a JPEG becomes "invoice.pdf.jpg": whoever opens
    it at the desk gets what its content is, never what its name claimed.
    """
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem = name
    elif suffix.lower() == extension or (suffix.lower(), extension) == ("jpeg", "jpg"):
        return name
    return f"{stem}.{extension}"


def refusal(code: str, name: str) -> str:
    """The reporter's message for a refused file."""
    if code == "too_large":
        return _("“%(name)s” is larger than %(limit)d MB.") % {
            "name": name,
            "limit": max_file_bytes() // (1024 * 1024),
        }
    if code == "pixels":
        return _(
            "“%(name)s” is a picture of more than %(limit)s megapixels, too large for us to "
            "check safely. Please send a smaller copy of it (most phones and computers can "
            "share a photo in a reduced size)."
        ) % {"name": name, "limit": f"{max_image_pixels() / 1_000_000:g}"}
    if code == "too_costly":
        return _(
            "“%(name)s” could not be checked in the time and memory we allow for one file. "
            "Please send a smaller or simpler copy of it, or send your words without it."
        ) % {"name": name}
    if code == "incomplete":
        return _("“%(name)s” could not be received completely. Please attach it again.") % {
            "name": name
        }
    if code == "corrupt":
        return _("“%(name)s” seems to be damaged and cannot be read.") % {"name": name}
    return _(
        "“%(name)s” is not a type of file we can accept, whatever its name says. "
        "Photos, PDF and office documents, plain text, and audio or video recordings are "
        "accepted."
    ) % {"name": name}


def missing_errors(count: int) -> list[str]:
    """The message about dropped file parts, as a list of errors (empty for none)."""
    return [missing_message(count)] if count > 0 else []


def missing_message(count: int) -> str:
    return ngettext(
        "One of the files you attached arrived without a name we can use (for example an "
        "empty name, “.” or “..”), so it was not received. Please rename it, for example "
        "“photo.jpg”, and attach it again.",
        "%(count)d of the files you attached arrived without a name we can use (for "
        "example an empty name, “.” or “..”), so they were not received. Please rename "
        "them, for example “photo.jpg”, and attach them again.",
        count,
    ) % {"count": count}
