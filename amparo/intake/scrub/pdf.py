"""PDFs: written anew without their metadata, wherever it hides."""

from __future__ import annotations

import io

import pikepdf

from amparo.intake.scrub.kinds import RejectedFile


def scrub_pdf(data: bytes) -> tuple[bytes, bool]:
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
        raise  # the sandbox's memory bound, reported as such
    except pikepdf.PasswordError:
        raise RejectedFile("corrupt", "PDF needs a password") from None
    except Exception as error:  # hostile input: qpdf raises many kinds
        raise RejectedFile("corrupt", f"PDF did not parse ({type(error).__name__})") from None


# Keys that hold nothing but metadata, wherever they appear: XMP, the authoring tool's
# private data (/PieceInfo, which can hold a whole earlier copy) and its timestamp.
_METADATA_KEYS = {"/Metadata", "/PieceInfo", "/LastModified"}
# pdfTeX's private keys: its banner, and on every included figure the file name it was
# read from (a path with the author's user name) and that file's document information.
_PRIVATE_KEY_PREFIXES = ("/PTEX.",)
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
                if (
                    key in _METADATA_KEYS
                    or key.startswith(_PRIVATE_KEY_PREFIXES)
                    or _is_xmp(obj.get(key))
                ):
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
        if marker < 0xC0 or marker == 0xD8:
            # Reserved, or a second start of image: not a well-formed JPEG. (A damaged
            # APP1 marker read as a segment to keep would keep its EXIF.)
            return None
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
