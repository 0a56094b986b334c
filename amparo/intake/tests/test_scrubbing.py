"""Files are stored without their hidden metadata: checked on the decrypted copies."""

from __future__ import annotations

import hashlib
import io

import pikepdf
from PIL import Image

from amparo.cases.files import iter_plaintext
from amparo.cases.models import Attachment, Case
from amparo.cases.vault import open_for_staff
from amparo.intake.tests.helpers import IntakeTestCase, jpeg_bytes, pdf_bytes, upload


class ScrubbingTests(IntakeTestCase):
    def stored_copies(self) -> dict[str, tuple[bytes, dict[str, object]]]:
        case = Case.objects.get()
        opened = open_for_staff(case, self.coordinator.user, self.coordinator.private_key())
        copies = {}
        for attachment in Attachment.objects.filter(case=case):
            meta = opened.decrypt_json(attachment.metadata, attachment.aad_field())
            data = b"".join(iter_plaintext(opened, attachment))
            copies[str(meta["name"])] = (data, meta)
        return copies

    def test_it_removes_gps_exif_and_pdf_authors_before_storing(self) -> None:
        photo = jpeg_bytes(gps=True)
        with Image.open(io.BytesIO(photo)) as original:
            self.assertIn(0x8825, original.getexif())  # the fixture really has GPS
        statement = pdf_bytes(author="Jane Defender")
        self.assertIn(b"Jane Defender", statement)
        response = self.submit(
            files=[
                upload("IMG_2041.jpg", photo, "image/jpeg"),
                upload("statement.pdf", statement, "application/pdf"),
            ]
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "hidden information removed", count=2)
        copies = self.stored_copies()

        image_data, image_meta = copies["IMG_2041.jpg"]
        with Image.open(io.BytesIO(image_data)) as image:
            exif = image.getexif()
            self.assertNotIn(0x8825, exif)  # GPS
            self.assertNotIn(0x010F, exif)  # camera make
            self.assertEqual(image.size, (32, 24))
        self.assertNotIn(b"PhoneMaker", image_data)
        self.assertTrue(image_meta["scrubbed"])
        self.assertEqual(image_meta["sha256"], hashlib.sha256(image_data).hexdigest())

        pdf_data, pdf_meta = copies["statement.pdf"]
        self.assertNotIn(b"Jane Defender", pdf_data)
        with pikepdf.open(io.BytesIO(pdf_data)) as pdf:
            self.assertNotIn("/Author", pdf.docinfo)
            self.assertNotIn("/Metadata", pdf.Root)
        self.assertTrue(pdf_meta["scrubbed"])
        self.assertEqual(pdf_meta["sha256"], hashlib.sha256(pdf_data).hexdigest())
