import io
import re
import zipfile

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from amparo.intake import scrub
from amparo.intake.scrub import FileKind, RejectedFile, ScrubbedFile, scrub_upload, sniff

from .fixtures import (
    AUTHOR,
    DEVICE,
    MP3_FRAME,
    MP3_WITH_ID3,
    animated_gif,
    gps_exif,
    image_with_metadata,
    iso_media,
    jpeg_with_gps,
    marked_image,
    odf,
    ogg,
    ooxml,
    pdf_with_metadata,
    png_bomb_header,
    wav,
    with_incremental_update,
    zip_bytes,
)

MAX = 10 * 1024 * 1024
LEAKS = (AUTHOR.encode(), DEVICE.encode(), b"Exif", b"http://ns.adobe.com/xap", b"xmpmeta")


def run(data: bytes, max_bytes: int = MAX) -> ScrubbedFile:
    return scrub_upload(io.BytesIO(data), max_bytes=max_bytes)


def rejection(data: bytes, max_bytes: int = MAX) -> str:
    with pytest.raises(RejectedFile) as caught:
        run(data, max_bytes)
    return caught.value.code


def is_red(pixel: tuple[int, ...]) -> bool:
    red, green, blue = pixel[:3]
    return red > 200 and green < 60 and blue < 60


def test_it_strips_gps_exif_xmp_icc_and_comment_from_a_jpeg_and_keeps_its_orientation() -> None:
    original = jpeg_with_gps(orientation=6)
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the sample really carries GPS
        assert {"xmp", "icc_profile", "comment"} <= before.info.keys()
    assert AUTHOR.encode() in original

    result = run(original)

    assert (result.kind, result.content_type, result.extension) == ("jpeg", "image/jpeg", "jpg")
    assert result.metadata_removed
    for leak in LEAKS:
        assert leak not in result.data
    with Image.open(io.BytesIO(result.data)) as after:
        after.load()
        assert after.format == "JPEG"
        assert not after.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment"} & after.info.keys()
        # Orientation 6 means "turn 90 degrees clockwise to display": the pixels now are,
        # so the 60x30 picture is 30x60 and its red corner moved to the top right.
        assert after.size == (30, 60)
        assert is_red(after.getpixel((25, 3)))
        assert not is_red(after.getpixel((3, 3)))


@pytest.mark.parametrize("pillow_format", ["PNG", "WEBP", "GIF", "JPEG"])
def test_it_rewrites_every_image_format_in_place_without_metadata(pillow_format: str) -> None:
    original = image_with_metadata(pillow_format)
    result = run(original)
    assert result.metadata_removed
    assert result.kind == pillow_format.lower()
    for leak in LEAKS:
        assert leak not in result.data
    with Image.open(io.BytesIO(result.data)) as after:
        after.load()
        assert after.format == pillow_format
        assert after.size == (60, 30)  # orientation 1: nothing turns
        assert is_red(after.convert("RGB").getpixel((3, 3)))
        assert not after.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment", "Author"} & after.info.keys()


def test_it_keeps_the_frames_of_an_animation() -> None:
    result = run(animated_gif(frames=3))
    assert AUTHOR.encode() not in result.data
    with Image.open(io.BytesIO(result.data)) as after:
        assert getattr(after, "n_frames", 1) == 3
        assert "comment" not in after.info


def expanded(pdf_bytes: bytes) -> bytes:
    """The PDF rewritten with every stream decoded and no object streams, so that a byte
    search also sees what compression would hide."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        pdf.save(
            out,
            qdf=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
        )
    return out.getvalue()


@pytest.mark.parametrize("object_streams", [False, True], ids=["plain", "object-streams"])
def test_it_removes_pdf_metadata_from_every_byte_of_the_file(object_streams: bool) -> None:
    original = pdf_with_metadata(object_streams=object_streams)
    assert AUTHOR.encode() in expanded(original)

    result = run(original)

    assert (result.kind, result.content_type, result.metadata_removed) == (
        "pdf",
        "application/pdf",
        True,
    )
    for data in (result.data, expanded(result.data)):
        for leak in (*LEAKS, b"WitnessWriter", b"Statement of the witness", b"PieceInfo"):
            assert leak not in data
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        assert "/Metadata" not in page.obj and "/PieceInfo" not in page.obj
        # The comment stays, without its author; the photo still decodes, without EXIF.
        assert str(page.obj.Annots[0].Contents) == "see the second paragraph"
        assert "/T" not in page.obj.Annots[0]
        photo = pikepdf.PdfImage(page.Resources.XObject.Im0).as_pil_image()
        assert photo.size == (16, 16)
        assert not photo.getexif()


def test_it_leaves_no_earlier_revision_of_a_pdf_behind() -> None:
    # An incremental update keeps the previous revision's objects in the file: saving
    # the scrubbed PDF incrementally would have kept the old author with them.
    first_revision = pdf_with_metadata()
    with pikepdf.open(io.BytesIO(first_revision)) as pdf:
        first_id = bytes(pdf.trailer.ID[0])
    original = with_incremental_update(first_revision, "Second Author")
    with pikepdf.open(io.BytesIO(original)) as pdf:
        assert str(pdf.docinfo.Author) == "Second Author"
    assert AUTHOR.encode() in original

    result = run(original)

    for data in (result.data, expanded(result.data)):
        assert AUTHOR.encode() not in data
        assert b"Second Author" not in data
    assert result.data.count(b"%%EOF") == 1
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert bytes(pdf.trailer.ID[0]) != first_id  # a new file identifier as well


def test_it_promises_nothing_about_a_pdf_it_had_to_repair() -> None:
    broken = re.sub(rb"startxref\s+\d+", b"startxref\n999999", pdf_with_metadata())
    result = run(broken)
    assert result.kind == "pdf"
    assert not result.metadata_removed  # qpdf had to rebuild the cross-reference table


def test_it_rejects_a_pdf_that_needs_a_password() -> None:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_with_metadata())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="secret"))
    assert rejection(out.getvalue()) == "corrupt"


def test_it_empties_office_document_properties_but_warns_all_the_same() -> None:
    original = ooxml("docx")
    assert AUTHOR.encode() in zipfile.ZipFile(io.BytesIO(original)).read("docProps/core.xml")
    result = run(original)
    assert result.kind == "docx"
    assert result.extension == "docx"
    assert result.content_type.endswith("wordprocessingml.document")
    # Comment authors, tracked changes and embedded photos remain: the reporter is warned.
    assert not result.metadata_removed
    with zipfile.ZipFile(io.BytesIO(result.data)) as archive:
        assert archive.namelist() == zipfile.ZipFile(io.BytesIO(original)).namelist()
        for name in archive.namelist():
            assert AUTHOR.encode() not in archive.read(name)
            assert archive.getinfo(name).date_time == (1980, 1, 1, 0, 0, 0)
        assert archive.read("word/document.xml") == b"<document>the statement</document>"
    assert sniff(result.data) is FileKind.DOCX


def test_it_keeps_an_opendocument_valid_while_emptying_its_meta() -> None:
    result = run(odf("text"))
    assert (result.kind, result.extension, result.metadata_removed) == ("odt", "odt", False)
    with zipfile.ZipFile(io.BytesIO(result.data)) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert AUTHOR.encode() not in archive.read("meta.xml")
    assert sniff(result.data) is FileKind.ODT


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (MP3_WITH_ID3, FileKind.MP3),
        (MP3_FRAME, FileKind.MP3),
        (iso_media(b"M4A ", b"isom"), FileKind.M4A),
        (iso_media(b"mp42", b"isom", handlers=(b"soun",)), FileKind.M4A),
        (iso_media(b"isom", b"mp41", handlers=(b"vide", b"soun")), FileKind.MP4),
        (iso_media(b"qt  "), FileKind.MOV),
        (ogg(b"OpusHead\x01\x02" + bytes(16)), FileKind.OPUS),
        (ogg(b"\x01vorbis" + bytes(22)), FileKind.OGG),
        (wav(), FileKind.WAV),
        (b"Amenazas recibidas el 3 de mayo.\n", FileKind.TEXT),
        ("تلقيت تهديدات بسبب عملي مع المحكمة".encode(), FileKind.TEXT),
        (b"<3 I love my family, and they threatened them.\n", FileKind.TEXT),
        (ooxml("docx"), FileKind.DOCX),
        (ooxml("xlsx"), FileKind.XLSX),
        (ooxml("pptx"), FileKind.PPTX),
        (odf("text"), FileKind.ODT),
        (odf("spreadsheet"), FileKind.ODS),
    ],
)
def test_it_recognises_allowed_kinds_by_their_content(data: bytes, kind: FileKind) -> None:
    assert sniff(data) is kind
    result = run(data)
    assert (result.kind, result.content_type, result.extension) == (
        kind.value,
        kind.content_type,
        kind.extension,
    )


@pytest.mark.parametrize(
    "data",
    [MP3_WITH_ID3, iso_media(b"qt  "), wav(), ogg(b"OpusHead" + bytes(10)), b"plain words\n"],
)
def test_it_passes_audio_video_and_text_through_and_says_metadata_may_remain(
    data: bytes,
) -> None:
    result = run(data)
    assert result.data == data
    assert not result.metadata_removed


def test_it_takes_a_text_file_named_like_a_photo_for_what_it_is() -> None:
    # Nothing here sees the file name: text that was called "photo.jpg" is text.
    result = run(b"the names of the officers are in the letter\n")
    assert (result.kind, result.extension) == ("text", "txt")


ELF = b"\x7fELF\x02\x01\x01" + bytes(57)
EXE = b"MZ\x90\x00\x03" + bytes(59) + b"This program cannot be run in DOS mode."


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(ELF, id="elf"),
        pytest.param(EXE, id="exe"),
        pytest.param(b"<!DOCTYPE html><p>hi</p>", id="html"),
        pytest.param(b"Dear desk,\n<script>alert(1)</script>\n", id="text-with-script"),
        pytest.param(b"  <svg onload=alert(1)>", id="svg"),
        pytest.param(b"<?xml version='1.0'?><x/>", id="xml"),
        pytest.param("hello".encode("utf-16"), id="utf-16"),
        pytest.param(b"hello \x1b[2J world", id="terminal-escape"),
        pytest.param(b"\xc3\x28 not utf-8", id="invalid-utf-8"),
        pytest.param(b"", id="empty"),
        pytest.param(zip_bytes([("payload.exe", EXE)]), id="zip-without-office-members"),
        pytest.param(
            zip_bytes([("bomb.bin", bytes(4 * 1024 * 1024))]), id="zip-bomb-without-members"
        ),
        pytest.param(
            ooxml("docx", main_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
            id="docm",
        ),
        pytest.param(
            zip_bytes(
                [("mimetype", b"application/vnd.oasis.opendocument.text"), ("Basic/m.xml", b"")]
            ),
            id="odt-with-macros",
        ),
        pytest.param(iso_media(b"heic", b"mif1"), id="heic-photo"),
        pytest.param(iso_media(b"mp42", b"heic"), id="heic-posing-as-mp4"),
        pytest.param(b"%!PS-Adobe-3.0\n\x00\x01", id="postscript-binary"),
        pytest.param(b"RIFF\x00\x00\x00\x00AVI LIST", id="avi"),
        pytest.param(b"ID3 is what I call my tag format\x00", id="fake-id3"),
    ],
)
def test_it_rejects_content_of_any_other_kind(data: bytes) -> None:
    assert sniff(data) is None
    assert rejection(data) == "type"


def test_it_rejects_a_truncated_jpeg_as_corrupt() -> None:
    whole = jpeg_with_gps(orientation=1)
    assert rejection(whole[: len(whole) * 2 // 3]) == "corrupt"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(30),
        b"GIF89a" + bytes(3),
        b"%PDF-1.7\n garbage",
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    ],
)
def test_it_rejects_undecodable_files_of_allowed_kinds_as_corrupt(data: bytes) -> None:
    assert rejection(data) == "corrupt"


def test_it_rejects_a_decompression_bomb_before_decoding_it() -> None:
    assert rejection(png_bomb_header(100_000, 100_000)) == "pixels"  # Pillow's own limit
    assert rejection(png_bomb_header(9_000, 8_000)) == "pixels"  # 72 Mpx: ours
    small = io.BytesIO()
    Image.new("1", (400, 300)).save(small, "PNG")
    with pytest.raises(RejectedFile) as caught:
        scrub_upload(io.BytesIO(small.getvalue()), max_bytes=MAX, max_pixels=100_000)
    assert caught.value.code == "pixels"


def test_it_rejects_an_office_file_that_would_expand_too_far(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scrub.office, "MAX_ZIP_UNCOMPRESSED_BYTES", 1024 * 1024)
    buffer = io.BytesIO(ooxml("docx"))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/padding.bin", bytes(2 * 1024 * 1024))
    padded = buffer.getvalue()
    assert sniff(padded) is FileKind.DOCX
    assert rejection(padded) == "too_large"


def test_it_reads_no_more_than_max_bytes() -> None:
    data = b"x" * 1000
    assert run(data, max_bytes=1000).data == data
    assert rejection(data + b"x", max_bytes=1000) == "too_large"

    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            buffer[:] = b"y" * len(buffer)
            return len(buffer)

    with pytest.raises(RejectedFile) as caught:
        scrub_upload(Endless(), max_bytes=5000)  # type: ignore[arg-type]
    assert caught.value.code == "too_large"


def test_it_says_nothing_about_the_content_in_its_errors() -> None:
    secret = b"%PDF-1.4\n1 0 obj << /Author (" + AUTHOR.encode() + b") >> garbage"
    with pytest.raises(RejectedFile) as caught:
        run(secret)
    assert AUTHOR not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


MAGIC = [
    b"\xff\xd8\xff\xe0",
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBPVP8L",
    b"RIFF\x00\x00\x00\x00WAVE",
    b"%PDF-1.7\n",
    b"OggS\x00\x02",
    b"\x00\x00\x00\x18ftypisom",
    b"PK\x03\x04",
    b"ID3\x03\x00\x00\x00\x00\x00\x00",
    b"\xff\xfb\x90\x64",
]
SAMPLES = [
    jpeg_with_gps(orientation=6),
    image_with_metadata("PNG"),
    image_with_metadata("GIF"),
    image_with_metadata("WEBP"),
    pdf_with_metadata(),
    ooxml("docx"),
    odf("text"),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=2048),
        st.builds(
            lambda magic, tail: magic + tail, st.sampled_from(MAGIC), st.binary(max_size=2048)
        ),
    )
)
def test_it_raises_only_rejected_file_on_arbitrary_bytes(data: bytes) -> None:
    kind = sniff(data)
    assert kind is None or isinstance(kind, FileKind)
    try:
        result = run(data)
    except RejectedFile as error:
        assert error.code in {"type", "corrupt", "too_large", "pixels"}
    else:
        assert result.kind in set(FileKind)


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's notes on damaged EXIF
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(SAMPLES),
    edits=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8
    ),
    cut=st.none() | st.integers(min_value=0),
)
def test_it_raises_only_rejected_file_on_damaged_files(
    sample: bytes, edits: list[tuple[int, int]], cut: int | None
) -> None:
    damaged = bytearray(sample)
    for index, value in edits:
        damaged[index % len(damaged)] = value
    if cut is not None:
        damaged = damaged[: cut % (len(damaged) + 1)]
    try:
        result = run(bytes(damaged))
    except RejectedFile as error:
        assert error.code in {"type", "corrupt", "too_large", "pixels"}
    else:
        # Whatever survives the damage, the promise holds: metadata_removed is never
        # True while the author is still in the bytes.
        if result.metadata_removed:
            assert AUTHOR.encode() not in result.data
            assert b"Exif" not in result.data


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_it_keeps_a_photo_whose_exif_is_malformed() -> None:
    photo = jpeg_with_gps(orientation=6)
    start = photo.index(b"Exif\x00\x00") + 6
    garbled = photo[: start + 8] + b"\xff" * 40 + photo[start + 48 :]
    result = run(garbled)
    assert result.kind == "jpeg"
    for leak in LEAKS:
        assert leak not in result.data


def test_it_cuts_metadata_segments_and_hidden_pictures_out_of_an_embedded_jpeg() -> None:
    cmyk = io.BytesIO()
    Image.new("CMYK", (8, 8), (0, 255, 0, 0)).save(cmyk, "JPEG", exif=gps_exif())
    # A multi-picture file hides a second JPEG, with its own EXIF, after the first ends.
    jpeg = cmyk.getvalue() + jpeg_with_gps(orientation=1)
    cleaned = scrub.pdf._jpeg_without_metadata(jpeg)
    assert cleaned is not None
    assert b"Exif" not in cleaned and AUTHOR.encode() not in cleaned
    assert cleaned.count(b"\xff\xd9") == 1 and cleaned.endswith(b"\xff\xd9")
    assert cleaned.startswith(b"\xff\xd8\xff\xee\x00\x0eAdobe")  # APP14: how to read CMYK
    with Image.open(io.BytesIO(cleaned)) as image:
        image.load()
        assert (image.mode, image.size) == ("CMYK", (8, 8))
    for damaged in (b"", b"\xff\xd8", cmyk.getvalue()[:-20], b"\xff\xd8\xff\xe1\xff\xff"):
        assert scrub.pdf._jpeg_without_metadata(damaged) is None


def test_it_sniffs_from_the_head_of_a_file_where_it_can() -> None:
    assert sniff(jpeg_with_gps()[:16]) is FileKind.JPEG
    assert sniff(pdf_with_metadata()[:16]) is FileKind.PDF
    assert sniff(iso_media(b"qt  ")[:32]) is FileKind.MOV
    # A head may end inside a character; a whole file may not.
    arabic = "تهديد".encode()
    assert sniff(arabic[:-1]) is FileKind.TEXT
    assert rejection(arabic[:-1]) == "type"
    # ZIP members are listed at the end: only the whole file tells a DOCX.
    assert sniff(ooxml("docx")[:200]) is None
    assert sniff(ooxml("docx")) is FileKind.DOCX


def test_it_keeps_only_the_main_picture_of_a_multi_picture_jpeg() -> None:
    # Phones write MPO files: a second picture (a depth map, a preview) with its own EXIF.
    out = io.BytesIO()
    main, hidden = marked_image(), Image.new("RGB", (60, 30), "green")
    main.save(out, "MPO", save_all=True, append_images=[hidden], exif=gps_exif(orientation=6))
    result = run(out.getvalue())
    assert result.kind == "jpeg"
    assert result.data.count(b"\xff\xd8") == 1
    for leak in (*LEAKS, b"MPF"):
        assert leak not in result.data
    with Image.open(io.BytesIO(result.data)) as after:
        assert (after.format, after.size) == ("JPEG", (30, 60))
