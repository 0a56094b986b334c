"""Nothing readable at rest: a unique marker put into a report, a message, a
file and its name appears nowhere in the database image, the files folder,
the cache or the session store."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from django.core.cache import cache
from django.db import connection, transaction
from django.test import TransactionTestCase, override_settings

from amparo.accounts.models import Role
from amparo.cases.actions.create import do_create_case
from amparo.cases.actions.desk import do_add_message
from amparo.cases.files import store_attachment
from amparo.cases.models import Sender
from amparo.tests.base import enrol_persona, sign_in


def database_image() -> bytes:
    """Every byte the database holds, as a backup would."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return bytes(connection.connection.serialize())  # type: ignore[union-attr]
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = ["pg_dump", "--no-owner", "-h", settings["HOST"] or "127.0.0.1"]
    command += ["-p", str(settings["PORT"] or 5432), "-U", settings["USER"], settings["NAME"]]
    return subprocess.run(command, env=env, check=True, capture_output=True).stdout


def cache_image() -> bytes:
    store = getattr(cache, "_cache", {})
    return b"".join(
        bytes(value) for value in store.values() if isinstance(value, bytes | bytearray)
    )


class AtRestTests(TransactionTestCase):
    def setUp(self) -> None:
        self.media = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.media, ignore_errors=True)

    def test_it_leaves_no_readable_trace_of_a_report(self) -> None:
        marker = f"MARKER{uuid.uuid4().hex}"
        coordinator = enrol_persona("coordinator", [Role.COORDINATOR])
        with override_settings(MEDIA_ROOT=self.media):
            created = do_create_case(
                answers={"narrative": f"{marker} was detained", "name": f"Name {marker}"},
                language="fr",
                questionnaire_version="test-1",
            )
            do_add_message(created.opened, sender=Sender.REPORTER, text=f"reply {marker}")
            with transaction.atomic():
                attachment = store_attachment(
                    created.opened,
                    io.BytesIO(f"file body {marker}".encode() * 100),
                    name=f"{marker}.txt",
                    content_type="text/plain",
                    scrubbed=False,
                )
                attachment.save()
            # A signed-in staff session with its wrapped key, as in real use.
            self.client.get("/en/")
            sign_in(self.client, coordinator)
            self.assertEqual(self.client.get("/en/staff/").status_code, 200)

        needles = [marker.encode(), marker.encode("utf-16-le"), marker.lower().encode()]
        assert created.receipt is not None
        receipt_digits = created.receipt.replace(" ", "").encode()
        haystacks = {
            "database": database_image(),
            "files": b"".join(p.read_bytes() for p in self.media.rglob("*") if p.is_file()),
            "file names": "\n".join(str(p) for p in self.media.rglob("*")).encode(),
            "cache": cache_image(),
        }
        self.assertGreater(len(haystacks["database"]), 10_000)
        self.assertGreater(len(haystacks["files"]), 1_000)
        for where, haystack in haystacks.items():
            for needle in needles:
                self.assertNotIn(needle, haystack, f"marker readable in {where}")
            self.assertNotIn(receipt_digits, haystack, f"receipt readable in {where}")
        private = coordinator.private_key()
        self.assertNotIn(private, haystacks["database"])
