"""The scrubber's less travelled branches: damaged JPEG segments, PDF names and keys that
are not valid UTF-8, nested filters, form fields, and ZIPs that are not what they say."""

from __future__ import annotations

import io
import zipfile
import zlib

import pikepdf
import pytest
from PIL import Image

from amparo.intake.scrub import FileKind, RejectedFile, ScrubbedFile, scrub_upload, sniff
from amparo.intake.scrub.pdf import _jpeg_without_metadata

from .fixtures import AUTHOR, gps_exif, iso_media, ogg, ooxml

MAX = 10 * 1024 * 1024


def run(data: bytes) -> ScrubbedFile:
    return scrub_upload(io.BytesIO(data), max_bytes=MAX)


def small_jpeg(size: tuple[int, int] = (16, 16), **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, "JPEG", **options)
    return out.getvalue()


def test_it_refuses_a_negative_byte_limit() -> None:
    with pytest.raises(ValueError, match="negative"):
        scrub_upload(io.BytesIO(b"x"), max_bytes=-1)


@pytest.mark.parametrize(
    "damaged",
    [
        b"GIF89a",  # not a JPEG at all
        b"\xff\xd8\x00\xe1",  # a byte where a marker should start
        b"\xff\xd8\xff\xff",  # fill bytes to the end
        b"\xff\xd8\xff\xe1\x00",  # a length cut short
        b"\xff\xd8\xff\xe1\x00\x01",  # a length below its own two bytes
        b"\xff\xd8\xff\xe1\x00\x40Exif",  # a segment longer than the file
        b"\xff\xd8\xff\xda\x00\x02\x12\x34",  # a scan that never ends
    ],
    ids=["not-jpeg", "no-marker", "fill-only", "short-length", "tiny-length", "long", "scan"],
)
def test_it_gives_up_on_a_jpeg_it_cannot_walk(damaged: bytes) -> None:
    assert _jpeg_without_metadata(damaged) is None


def test_it_keeps_standalone_markers_and_restart_markers_in_the_scan() -> None:
    jpeg = small_jpeg((64, 64), exif=gps_exif(), restart_marker_blocks=1)
    cleaned = _jpeg_without_metadata(jpeg)
    assert cleaned is not None
    assert b"Exif" not in cleaned
    assert AUTHOR.encode() not in cleaned
    assert b"\xff\xd0" in cleaned  # restart markers inside the scan are data, kept
    with Image.open(io.BytesIO(cleaned)) as image:
        image.load()
        assert image.size == (64, 64)
    with_tem = _jpeg_without_metadata(jpeg[:2] + b"\xff\x01" + jpeg[2:])
    assert with_tem is not None and with_tem.startswith(b"\xff\xd8\xff\x01")


def one_page_pdf(dress: object, *, compress: bool = False) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    dress(pdf)  # type: ignore[operator]
    out = io.BytesIO()
    pdf.save(out, compress_streams=compress)
    return out.getvalue()


def jpeg_image(pdf: pikepdf.Pdf, data: bytes, filters: object) -> pikepdf.Stream:
    return pikepdf.Stream(
        pdf,
        data,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=16,
        Height=16,
        ColorSpace=pikepdf.Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=filters,
    )


def test_a_jpeg_wrapped_in_another_filter_is_not_inflated_and_not_promised() -> None:
    def dress(pdf: pikepdf.Pdf) -> None:
        packed = zlib.compress(small_jpeg(exif=gps_exif()))
        filters = pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.DCTDecode])
        pdf.pages[0].obj.Resources = pikepdf.Dictionary(
            XObject=pikepdf.Dictionary(Im0=jpeg_image(pdf, packed, filters))
        )

    assert not run(one_page_pdf(dress)).metadata_removed


def test_other_filter_chains_and_clean_jpegs_keep_the_promise() -> None:
    def dress(pdf: pikepdf.Pdf) -> None:
        text = zlib.compress(b"BT ET")
        chained = pikepdf.Stream(pdf, zlib.compress(text))
        chained.Filter = pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.FlateDecode])
        pdf.pages[0].obj.Contents = pdf.make_indirect(chained)
        clean = jpeg_image(pdf, small_jpeg(), pikepdf.Name.DCTDecode)
        pdf.pages[0].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=clean))

    assert run(one_page_pdf(dress)).metadata_removed


def test_a_form_fields_name_stays_and_an_unknown_annotations_author_goes() -> None:
    def dress(pdf: pikepdf.Pdf) -> None:
        field = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            FT=pikepdf.Name.Tx,
            T=pikepdf.String("witness_name"),
            Rect=[0, 0, 10, 10],
        )
        unknown = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name("/VendorNote"),
            T=pikepdf.String(AUTHOR),
            M=pikepdf.String("D:20260314"),
            Rect=[0, 0, 10, 10],
        )
        pdf.pages[0].obj.Annots = pdf.make_indirect(
            pikepdf.Array([pdf.make_indirect(field), pdf.make_indirect(unknown)])
        )

    result = run(one_page_pdf(dress))
    assert result.metadata_removed
    assert AUTHOR.encode() not in result.data
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        field, unknown = pdf.pages[0].obj.Annots
        assert str(field.T) == "witness_name"
        assert "/T" not in unknown and "/M" not in unknown


def with_bad_utf8_name(data: bytes, placeholder: bytes) -> bytes:
    # Same length as the placeholder, so the cross-reference offsets stay right.
    bad = b"/Ab#e9" + b"x" * (len(placeholder) - 6)
    assert data.count(placeholder) == 1
    return data.replace(placeholder, bad)


def test_a_page_key_that_is_not_utf8_still_loses_the_metadata_but_promises_nothing() -> None:
    def dress(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].obj["/Placeholder"] = pikepdf.String(AUTHOR)
        pdf.pages[0].obj.PieceInfo = pikepdf.Dictionary(App=pikepdf.String(AUTHOR))

    damaged = with_bad_utf8_name(one_page_pdf(dress), b"/Placeholder")
    result = run(damaged)
    assert not result.metadata_removed
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert "/PieceInfo" not in pdf.pages[0].obj


def test_a_subtype_name_that_is_not_utf8_counts_as_an_unknown_annotation() -> None:
    def dress(pdf: pikepdf.Pdf) -> None:
        note = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name("/Placeholder"),
            T=pikepdf.String(AUTHOR),
            Rect=[0, 0, 10, 10],
        )
        pdf.pages[0].obj.Annots = pikepdf.Array([pdf.make_indirect(note)])

    damaged = with_bad_utf8_name(one_page_pdf(dress), b"/Placeholder")
    result = run(damaged)
    assert AUTHOR.encode() not in result.data


@pytest.mark.parametrize(
    "data",
    [
        ogg(b"\x80theora"),  # a video codec Amparo does not take
        iso_media(b"3gp4", b"3gp4"),  # an ISO media file of no accepted brand
    ],
    ids=["ogg-theora", "iso-3gp"],
)
def test_media_of_other_codecs_and_brands_are_not_accepted(data: bytes) -> None:
    assert sniff(data) is None


def zip_of(members: list[tuple[str, bytes]], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members:
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=method)
    return out.getvalue()


def encrypted_flag(data: bytes) -> bytes:
    """Set the "encrypted" flag on every member, in local and central headers."""
    buffer = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = buffer.find(signature)
        while at >= 0:
            buffer[at + offset] |= 0x01
            at = buffer.find(signature, at + 4)
    return bytes(buffer)


def test_zips_that_are_not_office_files_are_refused() -> None:
    docx = ooxml("docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    duplicate = zip_of([*members, members[-1]])
    deflated_mimetype = zip_of(
        [("mimetype", b"application/vnd.oasis.opendocument.text"), ("x", b"")]
    )
    oversized_types = zip_of([("[Content_Types].xml", b" " * (600 * 1024))])
    macros = zip_of([*members, ("word/vbaProject.bin", b"\x00")])
    for data in (duplicate, deflated_mimetype, oversized_types, macros, encrypted_flag(docx)):
        assert sniff(data) is None
        with pytest.raises(RejectedFile):
            run(data)


def test_an_office_file_keeps_its_folders_out_of_the_rewrite() -> None:
    with zipfile.ZipFile(io.BytesIO(ooxml("docx"))) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.mkdir("word/media")
        for name, content in members:
            archive.writestr(name, content)
    result = run(out.getvalue())
    assert result.kind == FileKind.DOCX
    with zipfile.ZipFile(io.BytesIO(result.data)) as cleaned:
        assert "word/media/" not in cleaned.namelist()
