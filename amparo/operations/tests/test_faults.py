"""Fast variants of bench/faults.py's scenarios, in-process: a full or read-only files
folder, a worker that dies between writing a file and committing, a database that
goes away. The slow, real ones (kill -9, pg_ctlcluster restart, tmpfs) are in
bench/faults.py."""

from __future__ import annotations

import errno
import os
import time
from unittest import mock

from django.db import OperationalError
from django.utils import translation
from django.utils.translation import gettext

from amparo.cases.models import Attachment, Case, ReferenceCounter
from amparo.intake.models import UsedFormToken
from amparo.intake.tests.helpers import IntakeTestCase, jpeg_bytes, receipt_from, upload
from amparo.operations.orphans import GRACE_SECONDS, orphan_files, purge_orphan_files

SAVE_FAILED = (
    "Your report could not be saved because of a problem on our side. Nothing was "
    "stored. What you wrote is kept below: please try again in a few minutes."
)

# core's 503 page (a variable, so that makemessages leaves it to core's catalog).
UNAVAILABLE = "Service temporarily unavailable"


class FilesFolderFaultTests(IntakeTestCase):
    def refused(self, error: OSError) -> None:
        files = [upload("photo.jpg", jpeg_bytes(), "image/jpeg")]
        with mock.patch("amparo.cases.files.encrypt_file", side_effect=error):
            response = self.submit("fr", files=files)
        self.assertEqual(response.status_code, 503)
        with translation.override("fr"):
            expected = gettext(SAVE_FAILED)
        self.assertNotEqual(expected, SAVE_FAILED)  # really translated
        self.assertContains(response, expected.split(".")[0], status_code=503)
        # Nothing half-written: no case, no file, no reference used, the form can be sent again.
        self.assertEqual(Case.objects.count(), 0)
        self.assertEqual(self.stored_files(), [])
        self.assertEqual(self.temp_uploads(), [])
        self.assertFalse(ReferenceCounter.objects.filter(last__gt=0).exists())
        self.assertEqual(UsedFormToken.objects.count(), 0)

    def test_a_full_files_folder_refuses_the_report_with_the_translated_message(self) -> None:
        self.refused(OSError(errno.ENOSPC, "No space left on device"))

    def test_a_read_only_files_folder_refuses_the_report_too(self) -> None:
        self.refused(OSError(errno.EROFS, "Read-only file system"))

    def test_it_works_again_once_there_is_room(self) -> None:
        self.refused(OSError(errno.ENOSPC, "No space left on device"))
        response = self.submit(files=[upload("photo.jpg", jpeg_bytes(), "image/jpeg")])
        self.assertEqual(response.status_code, 200)
        receipt_from(response.content.decode())
        self.assertEqual(Case.objects.count(), 1)
        self.assertEqual(len(self.stored_files()), 1)


class CrashFaultTests(IntakeTestCase):
    def test_a_worker_dying_after_the_file_and_before_the_commit_leaves_only_a_purgeable_file(
        self,
    ) -> None:
        # kill -9 runs no clean-up: the transaction is lost and nothing removes the file.
        class Killed(BaseException):
            pass

        files = [upload("photo.jpg", jpeg_bytes(), "image/jpeg")]
        with (
            mock.patch("amparo.intake.actions.discard"),
            mock.patch("amparo.intake.actions.record", side_effect=Killed),
            self.assertRaises(Killed),
        ):
            self.submit(files=files)
        self.assertEqual(Case.objects.count(), 0)
        self.assertFalse(Attachment.objects.exists())
        leftover = self.stored_files()
        self.assertEqual(len(leftover), 1)
        # Within the grace period it may belong to a running request: kept.
        self.assertEqual(orphan_files(), [])
        later = time.time() + GRACE_SECONDS + 1
        self.assertEqual(orphan_files(now=later), [str(leftover[0])])
        self.assertEqual(purge_orphan_files(now=later), 1)
        self.assertEqual(self.stored_files(), [])

    def test_a_committed_report_s_file_is_never_taken_for_an_orphan(self) -> None:
        response = self.submit(files=[upload("photo.jpg", jpeg_bytes(), "image/jpeg")])
        self.assertEqual(response.status_code, 200)
        (stored,) = self.stored_files()
        old = time.time() - 10 * GRACE_SECONDS
        os.utime(stored, (old, old))
        self.assertEqual(purge_orphan_files(), 0)
        self.assertTrue(stored.exists())


class DatabaseFaultTests(IntakeTestCase):
    def test_a_lost_database_gives_the_translated_try_again_page_then_serves_again(self) -> None:
        with mock.patch(
            "amparo.intake.views.submission.render",
            side_effect=OperationalError("server closed the connection unexpectedly"),
        ):
            response = self.client.get("/fr/report/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Content-Language"], "fr")
        with translation.override("fr"):
            heading = gettext(UNAVAILABLE)
        self.assertNotEqual(heading, UNAVAILABLE)
        self.assertContains(response, heading, status_code=503)
        self.assertEqual(self.client.get("/fr/report/").status_code, 200)
