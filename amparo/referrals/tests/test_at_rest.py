"""Cover notes, reasons, partner replies, risk notes and sharing-request reasons
leave no readable trace in the database, the files folder or the cache."""

from __future__ import annotations

import io
import shutil
import tempfile
import uuid
from pathlib import Path

import pysequoia
from django.db import transaction
from django.test import Client, TransactionTestCase, override_settings

from amparo.accounts.models import Role
from amparo.cases.actions.create import ConsentChoice, do_create_case
from amparo.cases.files import store_attachment
from amparo.cases.tests.test_at_rest import cache_image, database_image
from amparo.referrals.models import Partner, Referral
from amparo.referrals.tests.base import public_cert
from amparo.tests.base import enrol_persona, sign_in


class ReferralAtRestTests(TransactionTestCase):
    def test_it_leaves_no_readable_trace_of_a_referral(self) -> None:
        marker = f"REFMARK{uuid.uuid4().hex}"
        media = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        coordinator = enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
        approver = enrol_persona("approver", [Role.COORDINATOR])
        admin = enrol_persona("admin", [Role.ADMINISTRATOR])
        key = pysequoia.Tsk.generate("Fund <fund@example.org>")
        with override_settings(MEDIA_ROOT=media):
            created = do_create_case(
                answers={"narrative": f"story {marker}"},
                language="en",
                questionnaire_version="test",
                consents=[ConsentChoice("store", True, "t"), ConsentChoice("contact", True, "t")],
            )
            with transaction.atomic():
                store_attachment(
                    created.opened,
                    io.BytesIO(f"file {marker}".encode()),
                    name=f"{marker}.txt",
                    content_type="text/plain",
                    scrubbed=True,
                ).save()
            case_id = created.case.public_id
            admin_client, desk, second = Client(), Client(), Client()
            sign_in(admin_client, admin)
            sign_in(desk, coordinator)
            sign_in(second, approver)
            admin_client.post(
                "/en/staff/referrals/partners/new/",
                {
                    "name": "Fund",
                    "kind": "emergency_fund",
                    "email": "fund@example.org",
                    "languages": ["en"],
                    "certificate": str(public_cert(key)),
                },
            )
            partner = Partner.objects.get()
            admin_client.post(
                f"/en/staff/referrals/partners/{partner.public_id}/confirm/",
                {"typed": partner.fingerprint},
            )
            # Consent recorded by the team, with a risk note; a sharing request with a reason.
            response = desk.post(
                f"/en/staff/consent/{case_id}/record/",
                {
                    "scope": "share",
                    "granted": "yes",
                    "partner": partner.public_id,
                    "details": ["answer:narrative"],
                    "risk_note": f"risk {marker}",
                },
            )
            self.assertEqual(response.status_code, 302)
            response = desk.post(
                f"/en/staff/consent/{case_id}/propose/",
                {
                    "partner_kind": "legal_aid",
                    "details": ["answer:narrative"],
                    "reason": f"reason {marker}",
                },
            )
            self.assertEqual(response.status_code, 302)
            prepare = f"/en/staff/referrals/case/{case_id}/new/"
            for note in ("first", "second"):
                response = desk.post(
                    prepare,
                    {
                        "partner": partner.public_id,
                        "details": ["answer:narrative"],
                        "cover_note": f"{note} cover {marker}",
                        "submit": "1",
                    },
                )
                self.assertEqual(response.status_code, 302)
            sent_back, approved = Referral.objects.order_by("id")
            second.post(
                f"/en/staff/referrals/{sent_back.public_id}/send-back/",
                {"reason": f"back {marker}"},
            )
            second.post(f"/en/staff/referrals/{approved.public_id}/approve/", {})
            second.post(
                f"/en/staff/referrals/{approved.public_id}/response/",
                {"acknowledged": "on", "outcome": "acted", "reply": f"reply {marker}"},
            )
            page = second.get(f"/en/staff/referrals/{approved.public_id}/")
            self.assertContains(page, f"reply {marker}")
            self.assertContains(
                second.get(f"/en/staff/referrals/{sent_back.public_id}/"), f"back {marker}"
            )

        haystacks = {
            "database": database_image(),
            "files": b"".join(p.read_bytes() for p in media.rglob("*") if p.is_file()),
            "cache": cache_image(),
        }
        for where, haystack in haystacks.items():
            self.assertNotIn(marker.encode(), haystack, f"readable in {where}")
            self.assertNotIn(marker.lower().encode(), haystack, f"readable in {where}")
