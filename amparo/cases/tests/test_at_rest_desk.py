"""What the desk writes is as unreadable at rest as what the reporter wrote:
notes, replies, reasons, threat facts, measure outcomes, searches and reads
leave no plaintext behind."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from django.test import TransactionTestCase, override_settings

from amparo.accounts.models import Role
from amparo.cases.models import Case
from amparo.cases.tests.base import make_case
from amparo.cases.tests.test_at_rest import cache_image, database_image
from amparo.tests.base import enrol_persona, sign_in


class DeskAtRestTests(TransactionTestCase):
    def test_it_leaves_no_readable_trace_of_the_desks_work(self) -> None:
        marker = f"DESK{uuid.uuid4().hex}"
        search_marker = f"QUERY{uuid.uuid4().hex}"
        media = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        coordinator = enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
        with override_settings(MEDIA_ROOT=media):
            created = make_case(f"story {marker}")
            self.client.get("/en/")
            sign_in(self.client, coordinator)
            url = f"/en/staff/cases/{created.case.public_id}/"
            self.assertEqual(self.client.get(url).status_code, 200)
            for path, data in (
                ("message/", {"text": f"reply {marker}"}),
                ("note/", {"text": f"note {marker}"}),
                ("stage/", {"to": "acknowledged"}),
                ("stage/", {"to": "duplicate", "original": make_case().case.reference}),
                ("stage/", {"to": "under_assessment", "reason": f"reason {marker}"}),
            ):
                version = Case.objects.get(pk=created.case.pk).version
                response = self.client.post(url + path, {**data, "version": version})
                self.assertEqual(response.status_code, 302, path)
            # The protection side: threat facts, reasons, measure outcomes (amparo/protection).
            protection = f"/en/staff/protection/cases/{created.case.public_id}/"
            response = self.client.post(
                protection + "assess/",
                {
                    "number": "0",
                    "threats-TOTAL_FORMS": "1",
                    "threats-INITIAL_FORMS": "0",
                    "threats-0-facts": f"threat facts {marker}",
                    "threats-0-source": f"source {marker}",
                    "likelihood": "1",
                    "impact": "1",
                    "chosen_level": "high",
                    "override_reason": f"override {marker}",
                    "v__location__routines": "high",
                    "vr__location__routines": f"rating reason {marker}",
                },
            )
            self.assertEqual(response.status_code, 302, "assess")
            response = self.client.post(
                protection + "measures/new/",
                {"kind": "legal_aid", "description": f"plan {marker}", "defender_agreed": "yes"},
            )
            self.assertEqual(response.status_code, 302, "measure")
            measure = created.case.measures.get()
            response = self.client.post(
                protection + f"measures/{measure.public_id}/",
                {
                    "kind": "legal_aid",
                    "status": "done",
                    "version": "1",
                    "defender_agreed": "yes",
                    "outcome": f"outcome {marker}",
                    "partner": f"partner {marker}",
                    "note": f"status note {marker}",
                },
            )
            self.assertEqual(response.status_code, 302, "measure update")
            self.assertContains(self.client.get(url), f"outcome {marker}")
            search = self.client.post("/en/staff/cases/search/", {"q": marker})
            self.assertContains(search, created.case.reference)
            self.client.post("/en/staff/cases/search/", {"q": search_marker})
            self.assertContains(self.client.get(url), f"reason {marker}")

        haystacks = {
            "database": database_image(),
            "files": b"".join(p.read_bytes() for p in media.rglob("*") if p.is_file()),
            "cache": cache_image(),
        }
        for where, haystack in haystacks.items():
            for needle in (marker, marker.lower(), search_marker, search_marker.lower()):
                self.assertNotIn(needle.encode(), haystack, f"readable in {where}")
