"""The scrubber on files shaped like real cameras', PDF producers' and office suites'.

See fixtures/corpus.py for where each sample hides its owner, serial number, place
and home folder. Images and PDFs must come out with none of them, in any byte;
office files must lose their document properties (and still warn the reporter).
"""

from __future__ import annotations

import io
import zipfile
import zlib

import pikepdf
import pytest
from PIL import Image

from amparo.intake.scrub import ScrubbedFile, scrub_upload
from amparo.intake.scrub import pdf as pdf_module
from amparo.intake.tests.fixtures import corpus
from amparo.intake.tests.fixtures.corpus import SECRETS, Sample

MAX = 10 * 1024 * 1024


def scrub(sample: Sample) -> ScrubbedFile:
    return scrub_upload(io.BytesIO(sample.data), max_bytes=MAX)


def every_byte(data: bytes, kind: str) -> bytes:
    """The file as stored, and for PDFs also with every stream decoded and no object
    streams (a byte search must see what compression hides); office files unzipped."""
    if kind == "pdf":
        out = io.BytesIO()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pdf.save(
                out,
                qdf=True,
                object_stream_mode=pikepdf.ObjectStreamMode.disable,
                stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
            )
        return data + out.getvalue()
    if kind in ("docx", "xlsx", "pptx", "odt", "ods"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return b"".join(archive.read(info) for info in archive.infolist())
    return data


def leaks(data: bytes, kind: str) -> list[str]:
    everything = every_byte(data, kind)
    return [secret for secret in SECRETS if secret.encode() in everything]


def ids(factory: object) -> str:
    return getattr(factory, "__name__", "sample")


@pytest.mark.parametrize("factory", corpus.CORPUS, ids=ids)
def test_each_sample_really_carries_identifying_metadata(factory: object) -> None:
    sample = factory()  # type: ignore[operator]
    assert leaks(sample.data, sample.kind), "the sample should carry what it imitates"


@pytest.mark.parametrize("factory", corpus.IMAGES, ids=ids)
def test_photos_and_screenshots_lose_every_identifying_detail(factory: object) -> None:
    sample = factory()  # type: ignore[operator]
    with Image.open(io.BytesIO(sample.data)) as original:
        size = original.size

    result = scrub(sample)

    assert (result.kind, result.metadata_removed) == (sample.kind, True)
    assert leaks(result.data, sample.kind) == []
    for marker in (b"Exif\x00\x00", b"http://ns.adobe.com/xap", b"Photoshop 3.0", b"8BIM"):
        assert marker not in result.data
    with Image.open(io.BytesIO(result.data)) as after:
        after.load()
        assert after.size == size
        assert not after.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment", "Author", "Software"} & set(after.info)


@pytest.mark.parametrize("factory", corpus.PDFS, ids=ids)
def test_pdfs_lose_every_identifying_detail(factory: object) -> None:
    sample = factory()  # type: ignore[operator]

    result = scrub(sample)

    assert (result.kind, result.metadata_removed) == ("pdf", True)
    assert leaks(result.data, "pdf") == []
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        assert len(pdf.pages) == 1
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                keys = set(obj.keys())  # a Stream is not iterable like a Dictionary
                assert not [key for key in keys if key.startswith("/PTEX.")]


@pytest.mark.parametrize(
    "packet",
    [
        corpus._xmp(),
        b"\n  " + corpus._xmp(),
        corpus._xmp().split(b"?>", 1)[1].lstrip(),  # <x:xmpmeta without the xpacket header
    ],
    ids=["xpacket", "after-whitespace", "xmpmeta"],
)
def test_an_xmp_packet_without_type_is_known_by_its_header_and_emptied(packet: bytes) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root["/ProducerXMP"] = pdf.make_indirect(pikepdf.Stream(pdf, packet))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)

    result = scrub_upload(io.BytesIO(out.getvalue()), max_bytes=MAX)

    assert result.metadata_removed
    assert leaks(result.data, "pdf") == []
    with pikepdf.open(io.BytesIO(result.data)) as cleaned:
        assert cleaned.Root.ProducerXMP.read_bytes() == b""


def test_a_compressed_stream_that_merely_looks_like_xmp_is_left_alone() -> None:
    # Only an unfiltered packet is emptied: the content of a compressed stream is not
    # decoded (a possible bomb), so it is not judged by its header.
    pdf = pikepdf.new()
    pdf.add_blank_page()
    packed = zlib.compress(b"<?xpacket a page's text")
    pdf.Root["/Other"] = pdf.make_indirect(
        pikepdf.Stream(pdf, packed, Filter=pikepdf.Name.FlateDecode)
    )
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    result = scrub_upload(io.BytesIO(out.getvalue()), max_bytes=MAX)
    with pikepdf.open(io.BytesIO(result.data)) as cleaned:
        assert cleaned.Root.Other.read_bytes() == b"<?xpacket a page's text"


@pytest.mark.parametrize("factory", corpus.OFFICE, ids=ids)
def test_office_files_lose_their_properties_but_still_warn(factory: object) -> None:
    sample = factory()  # type: ignore[operator]

    result = scrub(sample)

    assert (result.kind, result.metadata_removed) == (sample.kind, False)
    assert leaks(result.data, sample.kind) == []
    with zipfile.ZipFile(io.BytesIO(result.data)) as archive:
        assert archive.testzip() is None
        names = [info.filename for info in archive.infolist()]
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        with zipfile.ZipFile(io.BytesIO(sample.data)) as source:
            assert names == [info.filename for info in source.infolist()]
            properties = {
                "meta.xml",
                "docProps/core.xml",
                "docProps/app.xml",
                "docProps/custom.xml",
            }
            for name in set(names) - properties:
                assert archive.read(name) == source.read(name)
        if sample.kind in ("odt", "ods"):
            assert names[0] == "mimetype"
            assert archive.infolist()[0].compress_type == zipfile.ZIP_STORED


def test_a_damaged_marker_in_an_embedded_jpeg_breaks_the_promise_not_the_secret() -> None:
    # Found by the fuzz test: an APP1 marker damaged into 0xFF00 was kept as an unknown
    # segment, EXIF and all, while the PDF was said to be clean.
    sample = corpus.scanner_pdf()
    app1 = sample.data.index(b"\xff\xe1")
    damaged = sample.data[: app1 + 1] + b"\x00" + sample.data[app1 + 2 :]

    result = scrub_upload(io.BytesIO(damaged), max_bytes=MAX)

    assert not result.metadata_removed
    assert pdf_module._jpeg_without_metadata(b"\xff\xd8\xff\x00\x00\x04ab\xff\xd9") is None
    assert pdf_module._jpeg_without_metadata(b"\xff\xd8\xff\xd8\x00\x04ab\xff\xd9") is None
