"""Office and OpenDocument files: the package rewritten with its properties emptied."""

from __future__ import annotations

import io
import zipfile

from amparo.intake.scrub.kinds import FileKind, RejectedFile

# Office files are ZIPs: what they would decompress to is bounded before anything reads
# them, here and on the desk's computers.
MAX_ZIP_UNCOMPRESSED_BYTES = 256 * 1024 * 1024

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


def scrub_office(data: bytes, kind: FileKind) -> bytes:
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
