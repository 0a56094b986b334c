"""The kinds of file Amparo accepts, and what scrubbing returns or refuses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

# "pixels": an image over the pixel limit, judged from its header; "too_costly": the
# bounded scrubbing process (amparo.intake.sandbox) ran out of memory or time.
RejectionCode = Literal["type", "corrupt", "too_large", "pixels", "too_costly"]

# 64 megapixels decode to about 200 MB in RGB: enough for 50-megapixel phone cameras,
# small enough that a few tiny files declaring huge pictures cannot exhaust memory.
MAX_IMAGE_PIXELS = 64_000_000


class FileKind(StrEnum):
    """The kinds of file Amparo accepts, with their canonical content type and extension."""

    JPEG = "jpeg"
    PNG = "png"
    GIF = "gif"
    WEBP = "webp"
    PDF = "pdf"
    TEXT = "text"
    MP3 = "mp3"
    M4A = "m4a"
    MP4 = "mp4"
    MOV = "mov"
    OGG = "ogg"
    OPUS = "opus"
    WAV = "wav"
    DOCX = "docx"
    XLSX = "xlsx"
    PPTX = "pptx"
    ODT = "odt"
    ODS = "ods"

    @property
    def content_type(self) -> str:
        return _TYPES[self][0]

    @property
    def extension(self) -> str:
        return _TYPES[self][1]

    @property
    def is_image(self) -> bool:
        return self in PILLOW_FORMATS


_TYPES: dict[FileKind, tuple[str, str]] = {
    FileKind.JPEG: ("image/jpeg", "jpg"),
    FileKind.PNG: ("image/png", "png"),
    FileKind.GIF: ("image/gif", "gif"),
    FileKind.WEBP: ("image/webp", "webp"),
    FileKind.PDF: ("application/pdf", "pdf"),
    # The charset is part of the type: Arabic text served without it turns to mojibake.
    FileKind.TEXT: ("text/plain; charset=utf-8", "txt"),
    FileKind.MP3: ("audio/mpeg", "mp3"),
    FileKind.M4A: ("audio/mp4", "m4a"),
    FileKind.MP4: ("video/mp4", "mp4"),
    FileKind.MOV: ("video/quicktime", "mov"),
    FileKind.OGG: ("audio/ogg", "ogg"),
    FileKind.OPUS: ("audio/ogg", "opus"),
    FileKind.WAV: ("audio/wav", "wav"),
    FileKind.DOCX: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    FileKind.XLSX: ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    FileKind.PPTX: (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    FileKind.ODT: ("application/vnd.oasis.opendocument.text", "odt"),
    FileKind.ODS: ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
}

PILLOW_FORMATS: dict[FileKind, str] = {
    FileKind.JPEG: "JPEG",
    FileKind.PNG: "PNG",
    FileKind.GIF: "GIF",
    FileKind.WEBP: "WEBP",
}


class RejectedFile(Exception):
    """A file Amparo will not keep. code is a RejectionCode (see above); the form
    turns it into a translated message. The message is for developers and never quotes
    the file's name or content."""

    def __init__(self, code: RejectionCode, message: str = "") -> None:
        super().__init__(message or code)
        self.code: RejectionCode = code


@dataclass(frozen=True)
class ScrubbedFile:
    """A file ready to be encrypted: its (rewritten) bytes and what it is."""

    data: bytes
    content_type: str
    extension: str
    kind: str
    metadata_removed: bool
