"""Shared pieces for intake's tests: a valid report, files, isolated storage."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from amparo.intake.forms import make_token
from amparo.intake.questionnaire import SHIPPED_VERSION
from amparo.tests.base import AmparoTestCase

NARRATIVE = "Two men followed me after I met investigators of the Court in Kampala."
RECEIPT_RE = re.compile(r'<bdi dir="ltr" class="secret" id="receipt">([0-9 ]+)</bdi>')
TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')


def load_reference_lists() -> None:
    """Put back the reference data that a transactional test's flush removed
    (the data migration loaded it once; the loader is idempotent)."""
    from amparo.reference.loader import load_reference_data
    from amparo.reference.models import Term

    if not Term.objects.exists():
        load_reference_data()


def report_data(**changes: Any) -> dict[str, Any]:
    """A complete, valid answer to the shipped questionnaire."""
    data: dict[str, Any] = {
        "form_token": make_token(SHIPPED_VERSION),
        "consent_store": "on",
        "consent_contact": "on",
        "reporting_for": "relative",
        "others_aware": "cannot_ask",
        "what_happened": NARRATIVE,
        "when_day": "",
        "when_month": "3",
        "when_year": "2025",
        "country": "UG",
        "place": "Gulu",
        "targeted": "My brother, a witness",
        "responsible": "Plain-clothes police",
        "engagement": ["witness", "intermediary"],
        "name": "",
        "organisation": "",
        "contact": "",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def jpeg_bytes(*, gps: bool = False, size: tuple[int, int] = (32, 24)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0110] = "Model X"  # Model
        gps_ifd = {1: "N", 2: (0.0, 46.0, 13.0), 3: "E", 4: (6.0, 8.0, 28.0)}
        exif[0x8825] = gps_ifd
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def pdf_bytes(author: str = "Jane Defender") -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Author"] = author
    pdf.docinfo["/Title"] = "Statement"
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [author]
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def receipt_from(html: str) -> str:
    match = RECEIPT_RE.search(html)
    assert match, "no receipt on the page"
    return match.group(1)


class IntakeTestCase(AmparoTestCase):
    """Personas, plus a private data directory (uploads, attachments, lock files)."""

    data_dir: Path

    def setUp(self) -> None:
        super().setUp()
        self.data_dir = Path(tempfile.mkdtemp(prefix="amparo-intake-"))
        self.addCleanup(shutil.rmtree, self.data_dir, True)
        settings_override = override_settings(
            DATA_DIR=self.data_dir, MEDIA_ROOT=self.data_dir / "files"
        )
        settings_override.enable()
        self.addCleanup(settings_override.disable)

    def stored_files(self) -> list[Path]:
        folder = self.data_dir / "files" / "attachments"
        return sorted(folder.iterdir()) if folder.exists() else []

    def temp_uploads(self) -> list[Path]:
        folder = self.data_dir / "tmp-uploads"
        return sorted(folder.iterdir()) if folder.exists() else []

    def submit(self, language: str = "en", **changes: Any) -> Any:
        return self.client.post(f"/{language}/report/", report_data(**changes))
