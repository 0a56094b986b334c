"""What an uploaded file really is, and what it says about whoever made it.

A photo taken by a defender carries the GPS position of their home, the phone's make and
serial-like details and the minute it was taken; a PDF carries its author's name and the
path of the template on their laptop. Before anything is encrypted and kept, files are
identified by their content (never their name or the browser's word) and, where Amparo
can do it reliably, rewritten without that metadata:

- images (JPEG, PNG, GIF, WebP) are decoded and re-encoded from their pixels alone;
- PDFs are written anew without the document information dictionary, XMP, /PieceInfo,
  the file identifier, comment authors and the metadata segments of embedded JPEGs
  (a damaged PDF that qpdf had to repair is kept, but promises nothing);
- Office and OpenDocument files lose their document properties, but keep what hides
  elsewhere (comment authors, tracked changes, embedded pictures);
- audio, video and text pass through unchanged.

ScrubbedFile.metadata_removed is True only where the first two apply: for every other
kind the reporter must be told plainly that hidden metadata may remain.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO, Literal

import pikepdf
from PIL import Image, ImageOps, ImageSequence

# "pixels": an image over the pixel limit, judged from its header; "too_costly": the
# bounded scrubbing process (amparo.intake.sandbox) ran out of memory or time.
RejectionCode = Literal["type", "corrupt", "too_large", "pixels", "too_costly"]

# 64 megapixels decode to about 200 MB in RGB: enough for 50-megapixel phone cameras,
# small enough that a few tiny files declaring huge pictures cannot exhaust memory.
MAX_IMAGE_PIXELS = 64_000_000
# Office files are ZIPs: what they would decompress to is bounded before anything reads
# them, here and on the desk's computers.
MAX_ZIP_MEMBERS = 5_000
MAX_ZIP_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
_MAX_CONTENT_TYPES_BYTES = 512 * 1024


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
        return self in _PILLOW_FORMATS


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

_PILLOW_FORMATS: dict[FileKind, str] = {
    FileKind.JPEG: "JPEG",
    FileKind.PNG: "PNG",
    FileKind.GIF: "GIF",
    FileKind.WEBP: "WEBP",
}


class RejectedFile(Exception):
    """A file Amparo will not keep. code is "type", "corrupt" or "too_large"; the form
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


# --- Sniffing ------------------------------------------------------------------------


def sniff(head: bytes) -> FileKind | None:
    """Identify an allowed kind from the first bytes of a file, or None.

    Pass as much as you have: ZIP-based kinds (DOCX, XLSX, PPTX, ODT, ODS) list their
    members at the end of the file and are recognised only from a complete file;
    text is judged on the bytes given. scrub_upload() sniffs the whole file.
    """
    return _sniff(head, complete=False)


def _sniff(data: bytes, *, complete: bool) -> FileKind | None:
    if data.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return FileKind.GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return FileKind.WEBP
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return FileKind.WAV
    # Strictly at offset 0: readers tolerate junk before the header, which is how
    # HTML/PDF polyglots are made; the rewrite below starts the file afresh anyway.
    if data.startswith(b"%PDF-"):
        return FileKind.PDF
    if data.startswith(b"OggS"):
        return _sniff_ogg(data)
    if data[4:8] == b"ftyp":
        return _sniff_iso_media(data)
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if _is_id3(data) or _is_mp3_frame(data):
        return FileKind.MP3
    if _is_text(data, complete=complete):
        return FileKind.TEXT
    return None


def _sniff_ogg(data: bytes) -> FileKind | None:
    # The first page's only packet is the codec's identification header.
    if len(data) < 27 or data[4] != 0 or not data[5] & 0x02:
        return None
    body = 27 + data[26]
    if data.startswith(b"OpusHead", body):
        return FileKind.OPUS
    if data.startswith(b"\x01vorbis", body):
        return FileKind.OGG
    return None


_M4A_BRANDS = {b"M4A ", b"M4B "}
_MOV_BRANDS = {b"qt  "}
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6",
    b"mp41", b"mp42", b"avc1", b"M4V ", b"MSNV", b"XAVC", b"dash",
}  # fmt: skip
# HEIF/AVIF photos are ISO media files too, but carry EXIF that Amparo cannot strip:
# never let them through as "video".
_STILL_IMAGE_BRANDS = {
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
    b"avif", b"avis", b"miaf", b"jpeg", b"avci", b"crx ",
}  # fmt: skip


def _sniff_iso_media(data: bytes) -> FileKind | None:
    size = int.from_bytes(data[:4], "big")
    if size < 16 or size > 4096 or size % 4 or len(data) < 16:
        return None
    # ftyp: major brand, minor version, then compatible brands to the end of the box.
    major = data[8:12]
    brands = {major} | {data[i : i + 4] for i in range(16, min(size, len(data)) - 3, 4)}
    if brands & _STILL_IMAGE_BRANDS:
        return None
    if major in _M4A_BRANDS:
        return FileKind.M4A
    if major in _MOV_BRANDS:
        return FileKind.MOV
    if brands & _MP4_BRANDS:
        # Generic brands say nothing about video: an audio-only file is an M4A.
        handlers = _track_handlers(data)
        return FileKind.M4A if handlers and b"vide" not in handlers else FileKind.MP4
    return None


def _track_handlers(data: bytes) -> set[bytes]:
    # hdlr box: type, version/flags (4), pre_defined (4), handler_type (4).
    return {
        data[match.start() + 12 : match.start() + 16]
        for match in re.finditer(re.escape(b"hdlr"), data)
    } & {b"vide", b"soun"}


def _is_id3(data: bytes) -> bool:
    # "ID3", major version 2-4, revision, flags, then a 28-bit "syncsafe" size.
    return (
        len(data) >= 10
        and data.startswith(b"ID3")
        and data[3] in (2, 3, 4)
        and data[4] != 0xFF
        and all(byte < 0x80 for byte in data[6:10])
    )


def _is_mp3_frame(data: bytes) -> bool:
    if len(data) < 4 or data[0] != 0xFF or data[1] & 0xE0 != 0xE0:
        return False
    version = (data[1] >> 3) & 0b11  # 0b01 is reserved
    layer = (data[1] >> 1) & 0b11  # 0b01 is Layer III
    bitrate = data[2] >> 4
    sample_rate = (data[2] >> 2) & 0b11
    emphasis = data[3] & 0b11
    return (
        version != 1
        and layer == 1
        and bitrate not in (0, 15)
        and sample_rate != 3
        and (emphasis != 2)
    )


# C0 controls other than tab, line feed, vertical tab, form feed and carriage return, and
# DEL: binary data, or escape sequences that rewrite a terminal showing the file.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# HTML a browser would render (the WHATWG sniffing patterns), and active markup anywhere.
_MARKUP_START = re.compile(
    r"\A\ufeff?\s*(?:<!--|<\?xml|<(?:!doctype\s+html|html|head|body|script|iframe|svg|meta|"
    r"style|title|object|embed|a|b|p|br|div|font|table|h1|form)[\s>/])",
    re.IGNORECASE,
)
_ACTIVE_MARKUP = re.compile(
    r"<\s*/?\s*(?:script|iframe|object|embed|svg|html|body|meta|form|frameset|link|base)[\s>/]",
    re.IGNORECASE,
)


def _is_text(data: bytes, *, complete: bool) -> bool:
    if not data:
        return False
    try:
        # A head may end inside a multi-byte character; a complete file may not.
        text = codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
    except UnicodeDecodeError:
        return False
    return not (_CONTROL.search(text) or _MARKUP_START.search(text) or _ACTIVE_MARKUP.search(text))


_OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        FileKind.DOCX
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": FileKind.XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        FileKind.PPTX
    ),
}
_ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": FileKind.ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": FileKind.ODS,
}
_XML_TAG = re.compile(r"<(?:\w+:)?Override\b[^>]*>", re.IGNORECASE)
_XML_ATTRIBUTE = re.compile(r"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _sniff_zip(data: bytes) -> FileKind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _zip_kind(archive)
    except Exception:  # hostile input: any parse failure means "not allowed"
        return None


def _zip_kind(archive: zipfile.ZipFile) -> FileKind | None:
    members = archive.infolist()
    names = {member.filename for member in members}
    if not members or len(members) > MAX_ZIP_MEMBERS or len(names) != len(members):
        return None  # duplicate names are how ZIP polyglots show different faces
    if any(member.flag_bits & 0x1 for member in members):
        return None  # encrypted members: nothing can be checked
    lowered = {name.lower() for name in names}
    if members[0].filename == "mimetype":
        # OpenDocument: "mimetype" first and stored, so its content names the kind.
        if members[0].compress_type != zipfile.ZIP_STORED or members[0].file_size > 100:
            return None
        kind = _ODF_TYPES.get(archive.read(members[0]).strip())
        # Macros live in Basic/ and Scripts/: code that would run on the desk's computers.
        if kind is None or any(name.startswith(("basic/", "scripts/")) for name in lowered):
            return None
        return kind if "meta-inf/manifest.xml" in lowered else None
    if "[Content_Types].xml" in names:
        info = archive.getinfo("[Content_Types].xml")
        if info.file_size > _MAX_CONTENT_TYPES_BYTES:
            return None
        if any(name.endswith("vbaproject.bin") for name in lowered):
            return None
        return _ooxml_kind(archive.read(info), names)
    return None


def _ooxml_kind(content_types: bytes, names: set[str]) -> FileKind | None:
    encoding = "utf-16" if content_types[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    text = content_types.decode(encoding)
    if "macroenabled" in text.lower() or "vbaproject" in text.lower():
        return None  # .docm/.xlsm/.pptm in disguise
    kinds = set()
    for tag in _XML_TAG.findall(text):
        attributes = {m[1]: m[2] or m[3] for m in _XML_ATTRIBUTE.finditer(tag)}
        kind = _OOXML_MAIN_TYPES.get(attributes.get("ContentType", "").strip())
        if kind is not None and attributes.get("PartName", "").lstrip("/") in names:
            kinds.add(kind)
    return kinds.pop() if len(kinds) == 1 else None


# --- Scrubbing -----------------------------------------------------------------------


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
    kind = _sniff(data, complete=True)
    if kind is None:
        raise RejectedFile("type", "content matches no allowed kind")
    metadata_removed = False
    if kind.is_image:
        data, metadata_removed = _scrub_image(data, kind, max_pixels), True
    elif kind is FileKind.PDF:
        data, metadata_removed = _scrub_pdf(data)
    elif kind in (FileKind.DOCX, FileKind.XLSX, FileKind.PPTX, FileKind.ODT, FileKind.ODS):
        # Document properties go, but comment authors, tracked changes, revision ids and
        # embedded pictures stay: the reporter is still warned (metadata_removed False).
        data = _scrub_office(data, kind)
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


# Encoder information Pillow may copy from the decoded image: only what rendering needs.
_KEEP_INFO = {"transparency", "duration", "loop", "background"}


def _scrub_image(data: bytes, kind: FileKind, max_pixels: int) -> bytes:
    pillow_format = _PILLOW_FORMATS[kind]
    try:
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            frames = getattr(image, "n_frames", 1) if kind is not FileKind.JPEG else 1
            # Checked before any pixel is decoded: the header alone decides.
            if image.width * image.height * max(frames, 1) > max_pixels:
                raise RejectedFile("pixels", "image has too many pixels")
            options = _encoder_options(image, kind, data)
            clean = [_clean_frame(frame) for frame in _frames(image, frames)]
            out = io.BytesIO()
            if len(clean) > 1:
                if "loop" in image.info:
                    options["loop"] = image.info["loop"]
                clean[0].save(
                    out,
                    format=pillow_format,
                    save_all=True,
                    append_images=clean[1:],
                    duration=[frame.info.get("duration", 100) for frame in clean],
                    **options,
                )
            else:
                clean[0].save(out, format=pillow_format, **options)
            return out.getvalue()
    except (RejectedFile, MemoryError):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise RejectedFile("pixels", "image has too many pixels") from None
    except Exception as error:  # hostile input: decoders raise anything
        # Only the type: decoder messages can quote bytes of the file.
        raise RejectedFile("corrupt", f"image did not decode ({type(error).__name__})") from None


def _frames(image: Image.Image, frames: int) -> list[Image.Image]:
    if frames <= 1:
        image.load()  # truncated files fail here, not half-way through saving
        return [image]
    return [frame.copy() for frame in ImageSequence.Iterator(image)]


def _clean_frame(frame: Image.Image) -> Image.Image:
    # Apply the EXIF orientation to the pixels: the tag that held it is about to go. In
    # place, so that an upright photo is never copied (64 Mpx is 200 MB). A malformed
    # EXIF block must not lose the picture: it is then kept as it was taken.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(frame, in_place=True)
    # Everything Pillow keeps in info (EXIF, XMP, ICC profile, comments, text chunks) is
    # written back by some encoder if left there; keep only what rendering needs.
    frame.info = {key: value for key, value in frame.info.items() if key in _KEEP_INFO}
    return frame


def _encoder_options(image: Image.Image, kind: FileKind, data: bytes) -> dict[str, object]:
    if kind is FileKind.JPEG:
        from PIL import JpegImagePlugin

        options: dict[str, object] = {"quality": 95}
        sampling = JpegImagePlugin.get_sampling(image)
        if sampling != -1:
            options["subsampling"] = sampling
        return options
    if kind is FileKind.WEBP:
        # A lossless original (VP8L) stays lossless; lossy ones are re-encoded finely.
        return {"lossless": True} if b"VP8L" in data[:4096] else {"quality": 95}
    return {}


def _scrub_pdf(data: bytes) -> tuple[bytes, bool]:
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            complete = _strip_pdf_metadata(pdf)
            out = io.BytesIO()
            pdf.save(
                out,
                # A new file from the parsed objects: no incremental update, so earlier
                # revisions and objects nothing refers to (old metadata) are left behind.
                encryption=False,
                fix_metadata_version=False,
                # Copy streams as they are: never inflate them (a compressed bomb) and
                # never alter the evidence's content streams.
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                compress_streams=False,
            )
            # qpdf warns when it had to repair the file: then objects may have run into
            # each other (a stream swallowing the XMP after it), and nothing can be
            # promised about what the rewritten file still holds.
            return out.getvalue(), complete and not pdf.get_warnings()
    except MemoryError:
        raise  # the sandbox's memory bound: not the file's fault alone
    except pikepdf.PasswordError:
        raise RejectedFile("corrupt", "PDF needs a password") from None
    except Exception as error:  # hostile input: qpdf raises many kinds
        raise RejectedFile("corrupt", f"PDF did not parse ({type(error).__name__})") from None


# Keys that hold nothing but metadata, wherever they appear: XMP, the authoring tool's
# private data (/PieceInfo, which can hold a whole earlier copy) and its timestamp.
_METADATA_KEYS = {"/Metadata", "/PieceInfo", "/LastModified"}
# Comments, highlights and the like: their /T is the author's name, /M and /CreationDate
# when they wrote. (Form fields are not among them: their /T is the field's name.)
_MARKUP_ANNOTATIONS = {
    "/Text", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine",
    "/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink",
    "/FileAttachment", "/Sound", "/Redact",
}  # fmt: skip
_MARKUP_AUTHOR_KEYS = ("/T", "/M", "/CreationDate")
_OTHER_ANNOTATIONS = {
    "/Widget", "/Link", "/Popup", "/Screen", "/Movie", "/PrinterMark", "/TrapNet",
    "/Watermark", "/3D", "/RichMedia", "/Projection",
}  # fmt: skip
# What a page dictionary may hold (ISO 32000-2, table 31) less metadata: anything else is
# some application's private data.
_PAGE_KEYS = {
    "/Type", "/Parent", "/Resources", "/MediaBox", "/CropBox", "/BleedBox", "/TrimBox",
    "/ArtBox", "/BoxColorInfo", "/Contents", "/Rotate", "/Group", "/Thumb", "/B", "/Dur",
    "/Trans", "/Annots", "/AA", "/StructParents", "/ID", "/PZ", "/SeparationInfo", "/Tabs",
    "/TemplateInstantiated", "/PresSteps", "/UserUnit", "/VP", "/AF", "/OutputIntents",
    "/DPart",
}  # fmt: skip


def _strip_pdf_metadata(pdf: pikepdf.Pdf) -> bool:
    """Remove metadata in place; return False if some embedded JPEG could not be cleaned."""
    complete = True
    # The trailer needs only these; /Info is the document information dictionary and
    # /ID the identifier the authoring tool chose (qpdf writes a fresh one).
    for key in list(pdf.trailer.keys()):
        if key not in ("/Root", "/Size"):
            del pdf.trailer[key]
    for obj in [pdf.Root, *pdf.objects]:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        keys = _keys(obj)
        if keys is None:
            keys, complete = [key for key in _METADATA_KEYS if key in obj], False
        for key in keys:
            try:
                # An XMP stream is known by its type, even under an unusual key.
                if key in _METADATA_KEYS or _is_xmp(obj.get(key)):
                    del obj[key]
            except (TypeError, UnicodeError):
                complete = False  # a key pikepdf cannot address: a damaged file
        if _is_markup_annotation(obj):
            for key in _MARKUP_AUTHOR_KEYS:
                if key in obj:
                    del obj[key]
        if isinstance(obj, pikepdf.Stream):
            complete = _clean_stream(obj) and complete
    for page in pdf.pages:
        page_keys = _keys(page.obj)
        if page_keys is None:
            complete = False
            continue
        for key in page_keys:
            if key not in _PAGE_KEYS:
                try:
                    del page.obj[key]
                except (TypeError, UnicodeError):
                    complete = False
    return complete


def _is_markup_annotation(obj: pikepdf.Object) -> bool:
    if "/FT" in obj:
        return False  # a form field: its /T is the field's name
    subtype = _name(obj.get("/Subtype"))
    if subtype in _MARKUP_ANNOTATIONS:
        return True
    # An annotation of a subtype no reader knows is treated as a comment too.
    return _name(obj.get("/Type")) == "/Annot" and subtype not in _OTHER_ANNOTATIONS


def _keys(obj: pikepdf.Object) -> list[str] | None:
    """The object's keys, or None if some key is not valid UTF-8 (a damaged file)."""
    try:
        return list(obj.keys())
    except UnicodeDecodeError:
        return None


def _is_xmp(value: object) -> bool:
    return isinstance(value, pikepdf.Stream) and (
        value.get("/Type") == pikepdf.Name.Metadata or value.get("/Subtype") == pikepdf.Name.XML
    )


def _clean_stream(stream: pikepdf.Object) -> bool:
    """Empty an XMP packet, and strip the metadata segments of a JPEG stored as it is (an
    image, or an attached photo); False if a JPEG is there but could not be cleaned."""
    filters = _filters(stream)
    if len(filters) > 1:
        # Reaching the JPEG would mean inflating the outer filter: a possible bomb.
        return "/DCTDecode" not in filters
    try:
        raw = stream.read_raw_bytes()
    except pikepdf.PdfError:
        return "/DCTDecode" not in filters  # damaged: qpdf copies what it can as it is
    if not filters and raw.lstrip().startswith((b"<?xpacket", b"<x:xmpmeta")):
        # XMP that lost its /Type: known by its packet header. (Packets are stored
        # uncompressed so that tools can find them in a file: so can an adversary.)
        stream.write(b"")
        return True
    if not raw.startswith(b"\xff\xd8\xff"):
        return filters != ["/DCTDecode"]
    cleaned = _jpeg_without_metadata(raw)
    if cleaned is None:
        return False
    if cleaned != raw:
        # Raw bytes in, raw bytes out: the stream keeps its filter and parameters as they were.
        current_filter = stream.get("/Filter")
        parameters = stream.get("/DecodeParms")
        try:
            stream.write(
                cleaned,
                filter=current_filter if isinstance(current_filter, pikepdf.Name) else None,
                decode_parms=parameters if isinstance(parameters, pikepdf.Dictionary) else None,
            )
        except (TypeError, ValueError, pikepdf.PdfError):
            return False
    return True


def _name(value: object) -> str | None:
    """A PDF name as text; None for anything else, or a name that is not valid UTF-8."""
    if not isinstance(value, pikepdf.Name):
        return None
    try:
        return str(value)
    except UnicodeDecodeError:
        return None


def _filters(stream: pikepdf.Object) -> list[str | None]:
    value = stream.get("/Filter")
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return [_name(item) for item in value]
    return [_name(value)]


def _jpeg_without_metadata(jpeg: bytes) -> bytes | None:
    """The JPEG without APPn segments (EXIF, XMP, ICC, IPTC, MPF; Adobe APP14 stays) and
    comments, cut at the first end-of-image; None if it is not a well-formed JPEG."""
    size = len(jpeg)
    if not jpeg.startswith(b"\xff\xd8"):
        return None
    out = bytearray(b"\xff\xd8")
    at = 2
    while at < size:
        if jpeg[at] != 0xFF:
            return None
        while at < size and jpeg[at] == 0xFF:  # fill bytes
            at += 1
        if at >= size:
            return None
        marker = jpeg[at]
        at += 1
        if marker == 0xD9:
            # Multi-picture files hide further images (with their own EXIF) after EOI.
            out += b"\xff\xd9"
            return bytes(out)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            out += bytes((0xFF, marker))
            continue
        if at + 2 > size:
            return None
        length = int.from_bytes(jpeg[at : at + 2], "big")
        if length < 2 or at + length > size:
            return None
        if not ((0xE0 <= marker <= 0xEF and marker != 0xEE) or marker == 0xFE):
            out += bytes((0xFF, marker)) + jpeg[at : at + length]
        at += length
        if marker == 0xDA:
            # Entropy-coded data runs to the next marker; 0xFF 0x00 and RSTn are data.
            scan = at
            while True:
                scan = jpeg.find(b"\xff", scan)
                if scan < 0 or scan + 1 >= size:
                    return None
                following = jpeg[scan + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    scan += 1 if following == 0xFF else 2
                    continue
                break
            out += jpeg[at:scan]
            at = scan
    return None


_EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
_EMPTY_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'docPropsVTypes"/>'
)
_EMPTY_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'docPropsVTypes"/>'
)
_EMPTY_ODF_META = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'office:version="1.2"><office:meta/></office:document-meta>'
)
_OOXML_PROPERTIES = {
    "docProps/core.xml": _EMPTY_CORE,
    "docProps/app.xml": _EMPTY_APP,
    "docProps/custom.xml": _EMPTY_CUSTOM,
}
_ODF_PROPERTIES = {"meta.xml": _EMPTY_ODF_META}


def _scrub_office(data: bytes, kind: FileKind) -> bytes:
    """Rewrite the package with its document properties emptied and member timestamps
    reset (they record when, in local time, each part was saved)."""
    replacements = _ODF_PROPERTIES if kind in (FileKind.ODT, FileKind.ODS) else _OOXML_PROPERTIES
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            members = source.infolist()
            if sum(member.file_size for member in members) > MAX_ZIP_UNCOMPRESSED_BYTES:
                raise RejectedFile("too_large", "archive would expand too far")
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w") as target:
                for member in members:
                    if member.is_dir():
                        continue
                    clean = zipfile.ZipInfo(member.filename, date_time=(1980, 1, 1, 0, 0, 0))
                    # ODF requires "mimetype" stored; everything else may be deflated.
                    stored = member.compress_type == zipfile.ZIP_STORED
                    clean.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                    if member.filename in replacements:
                        target.writestr(clean, replacements[member.filename])
                        continue
                    with source.open(member) as src, target.open(clean, "w") as dst:
                        while piece := src.read(1024 * 1024):
                            dst.write(piece)
            return out.getvalue()
    except (RejectedFile, MemoryError):
        raise
    except Exception as error:  # hostile input: a bad member, CRC, method
        raise RejectedFile("corrupt", f"archive did not read ({type(error).__name__})") from None
