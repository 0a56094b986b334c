"""Identifying a file by its content: never its name or the browser's word."""

from __future__ import annotations

import codecs
import io
import re
import zipfile

from amparo.intake.scrub.kinds import FileKind

# Office files are ZIPs: what they would decompress to is bounded before anything reads
# them, here and on the desk's computers.
MAX_ZIP_MEMBERS = 5_000
_MAX_CONTENT_TYPES_BYTES = 512 * 1024


def sniff(head: bytes) -> FileKind | None:
    """Identify an allowed kind from the first bytes of a file, or None.

    Pass as much as you have: ZIP-based kinds (DOCX, XLSX, PPTX, ODT, ODS) list their
    members at the end of the file and are recognised only from a complete file;
    text is judged on the bytes given. scrub_upload() sniffs the whole file.
    """
    return identify(head, complete=False)


def identify(data: bytes, *, complete: bool) -> FileKind | None:
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
