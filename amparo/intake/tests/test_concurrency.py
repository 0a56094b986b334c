"""Many reports at once against PostgreSQL: none lost, none merged."""

from __future__ import annotations

import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.db import connection
from django.test import Client, TransactionTestCase, override_settings

from amparo.accounts.models import Role
from amparo.cases.models import Attachment, Case
from amparo.cases.vault import lookup_for_receipt, open_for_reporter, open_for_staff
from amparo.intake.tests.helpers import (
    jpeg_bytes,
    load_reference_lists,
    receipt_from,
    report_data,
    upload,
)
from amparo.tests.base import enrol_persona

COUNT = 20


class ConcurrentSubmissionTests(TransactionTestCase):
    def setUp(self) -> None:
        if connection.vendor == "sqlite":
            self.skipTest("in-memory SQLite shares one connection; PostgreSQL runs this")
        load_reference_lists()
        directory = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, directory, True)
        override = override_settings(
            DATA_DIR=directory,
            MEDIA_ROOT=directory / "files",
            AMPARO_SUBMISSIONS_PER_CLIENT_PER_HOUR=0,
        )
        override.enable()
        self.addCleanup(override.disable)
        self.coordinator = enrol_persona("coordinator", [Role.COORDINATOR])

    def post_together(self, payloads: list[dict[str, object]]) -> list[tuple[int, str]]:
        barrier = threading.Barrier(len(payloads))

        def send(payload: dict[str, object]) -> tuple[int, str]:
            try:
                client = Client()
                barrier.wait()
                response = client.post("/en/report/", payload)
                return response.status_code, response.content.decode()
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=len(payloads)) as pool:
            return list(pool.map(send, payloads))

    def test_it_stores_twenty_simultaneous_reports(self) -> None:
        payloads = [
            report_data(
                what_happened=f"Report number {i}",
                files=[upload(f"photo-{i}.jpg", jpeg_bytes())],
            )
            for i in range(COUNT)
        ]
        results = self.post_together(payloads)
        self.assertEqual([status for status, _ in results], [200] * COUNT)
        self.assertEqual(Case.objects.count(), COUNT)
        self.assertEqual(Attachment.objects.count(), COUNT)
        references = set(Case.objects.values_list("reference", flat=True))
        self.assertEqual(len(references), COUNT)
        private = self.coordinator.private_key()
        narratives = set()
        for _status, body in results:
            access = open_for_reporter(*lookup_for_receipt(receipt_from(body)))
            narratives.add(access.opened.answers()["what_happened"])
            opened = open_for_staff(access.opened.case, self.coordinator.user, private)
            self.assertEqual(opened.answers(), access.opened.answers())
        self.assertEqual(narratives, {f"Report number {i}" for i in range(COUNT)})

    def test_it_makes_one_report_from_a_form_sent_twice_at_once(self) -> None:
        payload = report_data()
        results = self.post_together([payload, dict(payload), dict(payload)])
        self.assertEqual(sorted(status for status, _ in results), [200, 409, 409])
        self.assertEqual(Case.objects.count(), 1)
