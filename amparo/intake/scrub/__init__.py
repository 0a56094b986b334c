"""What an uploaded file really is, and what it says about whoever made it.

A photo taken by a defender carries the GPS position of their home, the phone's make and
serial-like details and the minute it was taken; a PDF carries its author's name and the
path of the template on their laptop. Before anything is encrypted and kept, files are
identified by their content (never their name or the browser's word) and, where Amparo
can do it reliably, rewritten without that metadata:

- images (JPEG, PNG, GIF, WebP) are decoded and re-encoded from their pixels alone;
- PDFs are written anew without the document information dictionary, XMP, /PieceInfo,
  pdfTeX's /PTEX.* keys (a figure's source path and document information), the file
  identifier, comment authors and the metadata segments of embedded JPEGs (a damaged
  PDF that qpdf had to repair, or a damaged embedded JPEG, is kept, but promises nothing);
- Office and OpenDocument files lose their document properties, but keep what hides
  elsewhere (comment authors, tracked changes, embedded pictures);
- audio, video and text pass through unchanged.

ScrubbedFile.metadata_removed is True only where the first two apply: for every other
kind the reporter must be told plainly that hidden metadata may remain.
"""

from __future__ import annotations

from typing import BinaryIO

from amparo.intake.scrub.images import scrub_image
from amparo.intake.scrub.kinds import (
    MAX_IMAGE_PIXELS,
    FileKind,
    RejectedFile,
    RejectionCode,
    ScrubbedFile,
)
from amparo.intake.scrub.office import scrub_office
from amparo.intake.scrub.pdf import scrub_pdf
from amparo.intake.scrub.sniffing import identify, sniff

__all__ = [
    "MAX_IMAGE_PIXELS",
    "FileKind",
    "RejectedFile",
    "RejectionCode",
    "ScrubbedFile",
    "scrub_upload",
    "sniff",
]


def scrub_upload(
    stream: BinaryIO, *, max_bytes: int, max_pixels: int = MAX_IMAGE_PIXELS
) -> ScrubbedFile:
    """Read at most max_bytes from stream, identify the file and strip its metadata.

    Raises RejectedFile: "too_large" over max_bytes (or an archive that would expand too
    far), "pixels" for an image over max_pixels (decided from its header), "type" if it
    is no allowed kind, "corrupt" if it claims to be one but cannot be decoded.
    Nothing else escapes, whatever the bytes, except MemoryError (amparo.intake.sandbox
    bounds memory and reports it).
    """
    if max_bytes < 0:
        raise ValueError("max_bytes must not be negative")
    data = _read_at_most(stream, max_bytes + 1)
    if len(data) > max_bytes:
        raise RejectedFile("too_large", "stream longer than max_bytes")
    kind = identify(data, complete=True)
    if kind is None:
        raise RejectedFile("type", "content matches no allowed kind")
    metadata_removed = False
    if kind.is_image:
        data, metadata_removed = scrub_image(data, kind, max_pixels), True
    elif kind is FileKind.PDF:
        data, metadata_removed = scrub_pdf(data)
    elif kind in (FileKind.DOCX, FileKind.XLSX, FileKind.PPTX, FileKind.ODT, FileKind.ODS):
        # Document properties go, but comment authors, tracked changes, revision ids and
        # embedded pictures stay: the reporter is still warned (metadata_removed False).
        data = scrub_office(data, kind)
    return ScrubbedFile(
        data=data,
        content_type=kind.content_type,
        extension=kind.extension,
        kind=kind.value,
        metadata_removed=metadata_removed,
    )


def _read_at_most(stream: BinaryIO, limit: int) -> bytes:
    parts: list[bytes] = []
    left = limit
    while left > 0:
        piece = stream.read(min(left, 1024 * 1024))
        if not piece:
            break
        parts.append(piece)
        left -= len(piece)
    return b"".join(parts)
