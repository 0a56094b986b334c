"""Partner and referral pages: refusals said in words, and the role matrix of every view."""

from __future__ import annotations

from pathlib import Path

import pysequoia
from django.test import Client

from amparo.referrals.models import Partner, Referral, ReferralStatus
from amparo.referrals.tests.base import ReferralTestCase, open_package, public_cert
from amparo.tests.base import Persona, sign_in

DATA = Path(__file__).parent / "data"


def partner_post(certificate: str, name: str = "Emergency Fund") -> dict[str, object]:
    return {
        "name": name,
        "kind": "emergency_fund",
        "email": "fund@example.org",
        "languages": ["fr"],
        "countries": ["CD"],
        "certificate": certificate,
    }


class PartnerPagesTest(ReferralTestCase):
    def setUp(self) -> None:
        self.sign_in(self.administrator)

    def test_each_bad_key_is_refused_with_its_own_message(self) -> None:
        good = pysequoia.Tsk.generate("Fund <fund@example.org>")
        expired = pysequoia.Tsk.generate("Old <old@example.org>", validity_seconds=1)
        revoked_cert = public_cert(good)
        revoked = pysequoia.Cert.from_bytes(
            bytes(revoked_cert) + bytes(revoked_cert.revoke(good.certifier()))
        )
        from pysequoia.packet import PacketPile

        packets = list(PacketPile.from_bytes(bytes(public_cert(good))))
        no_encryption = pysequoia.Cert.from_packets(packets[:-2])
        cases = {
            "not an OpenPGP public key that can be read": "hello",
            "shorter than 2048 bits": (DATA / "rsa1024-test-only.asc").read_text(),
            "This is a private key": str(good),
            "has expired": str(public_cert(expired)),
            "revoked by its owner": str(revoked),
            "Nothing can be encrypted to this key": str(no_encryption),
            "several keys": str(public_cert(good)) + str(public_cert(expired)),
        }
        for message, certificate in cases.items():
            response = self.client.post(
                "/en/staff/referrals/partners/new/", partner_post(certificate)
            )
            self.assertContains(response, message, status_code=400)
        self.assertFalse(Partner.objects.exists())

    def test_a_partner_is_added_and_confirmed_by_typing_the_fingerprint_back(self) -> None:
        key = pysequoia.Tsk.generate("Fund <fund@example.org>")
        response = self.client.post(
            "/en/staff/referrals/partners/new/", partner_post(str(public_cert(key)))
        )
        partner = Partner.objects.get()
        self.assertRedirects(response, f"/en/staff/referrals/partners/{partner.public_id}/")
        page = self.client.get(f"/en/staff/referrals/partners/{partner.public_id}/")
        fingerprint = partner.fingerprint
        self.assertContains(page, fingerprint[:4] + " " + fingerprint[4:8])
        url = f"/en/staff/referrals/partners/{partner.public_id}/confirm/"
        # The one who added it cannot just click: they type it back.
        self.assertContains(
            self.client.post(url, {"typed": ""}), "type the fingerprint back", status_code=400
        )
        wrong = "0" * len(fingerprint)
        self.assertContains(
            self.client.post(url, {"typed": wrong}), "does not match", status_code=400
        )
        spaced = " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))
        self.client.post(url, {"typed": spaced.lower()})
        partner.refresh_from_db()
        self.assertEqual(partner.confirmed_how, "typed")

    def test_a_second_administrator_confirms_without_typing(self) -> None:
        from amparo.accounts.models import Role
        from amparo.tests.base import enrol_persona

        key = pysequoia.Tsk.generate("Fund <fund@example.org>")
        self.client.post("/en/staff/referrals/partners/new/", partner_post(str(public_cert(key))))
        partner = Partner.objects.get()
        second = enrol_persona("administrator2", [Role.ADMINISTRATOR])
        other = Client()
        sign_in(other, second)
        other.post(f"/en/staff/referrals/partners/{partner.public_id}/confirm/", {"typed": ""})
        partner.refresh_from_db()
        self.assertEqual(partner.confirmed_how, "second_admin")
        self.assertEqual(partner.confirmed_by, second.user)


class ReferralPagesTest(ReferralTestCase):
    def test_the_whole_path_through_the_pages(self) -> None:
        partner, key = self.make_partner()
        created, _shared, _other = self.make_case()
        self.consent_to(created, partner, ["answer:narrative"])
        self.sign_in(self.coordinator)
        url = f"/en/staff/referrals/case/{created.case.public_id}/new/"
        page = self.client.get(url)
        self.assertContains(page, "Shelter Fund")
        base = {"partner": partner.public_id, "cover_note": "COVER-MARKER-3001"}
        # A detail beyond consent: refused, and named.
        response = self.client.post(
            url, {**base, "details": ["answer:narrative", "answer:name"], "submit": "1"}
        )
        self.assertContains(response, "does not cover some of these details", status_code=400)
        self.assertContains(response, "They were refused: Who reported it", status_code=400)
        self.assertFalse(Referral.objects.exists())
        # Preview shows the summary, saves nothing.
        preview = self.client.post(url, {**base, "details": ["answer:narrative"], "preview": "1"})
        self.assertContains(preview, "COVER-MARKER-3001")
        self.assertContains(preview, "MARKER-NARRATIVE-4411")
        self.assertFalse(Referral.objects.exists())
        response = self.client.post(url, {**base, "details": ["answer:narrative"], "submit": "1"})
        referral = Referral.objects.get()
        self.assertRedirects(response, f"/en/staff/referrals/{referral.public_id}/")
        # The preparer cannot approve.
        refused = self.client.post(f"/en/staff/referrals/{referral.public_id}/approve/", {})
        self.assertContains(refused, "a second coordinator must approve", status_code=400)
        other = Client()
        sign_in(other, self.second_coordinator)
        approved = other.post(
            f"/en/staff/referrals/{referral.public_id}/approve/", {"by_email": ""}
        )
        self.assertEqual(approved.status_code, 302)
        referral.refresh_from_db()
        self.assertEqual(referral.status, ReferralStatus.SENT)
        download = other.post(f"/en/staff/referrals/{referral.public_id}/download/")
        self.assertEqual(download["Content-Type"], "application/octet-stream")
        self.assertNotIn(created.case.reference, download["Content-Disposition"])
        opened = open_package(download.content, key)
        self.assertIn("MARKER-NARRATIVE-4411", opened.summary)
        self.assertNotIn("MARKER-NAME", opened.summary)
        again = other.post(f"/en/staff/referrals/{referral.public_id}/download/")
        self.assertEqual(again.status_code, 302)
        response = other.post(
            f"/en/staff/referrals/{referral.public_id}/response/",
            {"acknowledged": "on", "outcome": "acted", "reply": "REPLY-MARKER-1"},
        )
        self.assertEqual(response.status_code, 302)
        referral.refresh_from_db()
        self.assertEqual(referral.status, ReferralStatus.CLOSED)
        self.assertNotIn(b"REPLY-MARKER", bytes(referral.partner_reply))
        self.assertContains(
            other.get(f"/en/staff/referrals/{referral.public_id}/"), "REPLY-MARKER-1"
        )

    def test_a_partner_without_consent_is_refused_on_the_form(self) -> None:
        partner, _key = self.make_partner()
        created, _s, _o = self.make_case()
        self.sign_in(self.coordinator)
        response = self.client.post(
            f"/en/staff/referrals/case/{created.case.public_id}/new/",
            {
                "partner": partner.public_id,
                "details": ["answer:narrative"],
                "cover_note": "x",
                "submit": "1",
            },
        )
        self.assertContains(response, "has not agreed to share anything", status_code=400)


class RoleMatrixTest(ReferralTestCase):
    def test_every_new_view_answers_each_role(self) -> None:
        partner, _key = self.make_partner()
        created, _s, _o = self.make_case()
        self.consent_to(created, partner, ["answer:narrative"])
        from amparo.referrals.actions.approval import do_prepare_referral

        referral = do_prepare_referral(
            created.opened,
            self.coordinator.user,
            partner=partner,
            fields=["answer:narrative"],
            cover_note="x",
        )
        case_id, ref_id, partner_id = created.case.public_id, referral.public_id, partner.public_id
        admin_pages = [
            "/en/staff/referrals/partners/",
            "/en/staff/referrals/partners/new/",
            f"/en/staff/referrals/partners/{partner_id}/",
            f"/en/staff/referrals/partners/{partner_id}/edit/",
        ]
        desk_pages = [
            f"/en/staff/referrals/case/{case_id}/",
            f"/en/staff/referrals/case/{case_id}/new/",
            f"/en/staff/referrals/{ref_id}/",
        ]
        posts = [
            f"/en/staff/referrals/partners/{partner_id}/confirm/",
            f"/en/staff/referrals/partners/{partner_id}/active/",
            f"/en/staff/referrals/{ref_id}/approve/",
            f"/en/staff/referrals/{ref_id}/send-back/",
            f"/en/staff/referrals/{ref_id}/cancel/",
            f"/en/staff/referrals/{ref_id}/download/",
            f"/en/staff/referrals/{ref_id}/response/",
            f"/en/staff/referrals/{ref_id}/withdrawal-notice/",
        ]
        expected: dict[str, tuple[Persona, int, int, int, int]] = {
            # persona: admin pages, desk pages, queue, signing key page
            "coordinator": (self.coordinator, 403, 200, 200, 200),
            "handler": (self.handler, 403, 404, 403, 403),
            "outsider": (self.outsider, 403, 404, 403, 403),
            "analyst": (self.analyst, 403, 403, 403, 403),
            "administrator": (self.administrator, 200, 403, 403, 200),
        }
        for name, (persona, admin, desk, queue, signing) in expected.items():
            client = Client()
            sign_in(client, persona)
            for url in admin_pages:
                self.assertEqual(client.get(url).status_code, admin, (name, url))
            for url in desk_pages:
                self.assertEqual(client.get(url).status_code, desk, (name, url))
            self.assertEqual(client.get("/en/staff/referrals/").status_code, queue, name)
            self.assertEqual(
                client.get("/en/staff/referrals/signing-key/").status_code, signing, name
            )
            for url in posts:
                status = client.post(url, {}).status_code
                self.assertIn(status, (302, 400, 403, 404, 409), (name, url))
                if persona not in (self.coordinator, self.administrator):
                    self.assertIn(status, (403, 404), (name, url))
        anonymous = Client()
        for url in [*admin_pages, *desk_pages, "/en/staff/referrals/"]:
            self.assertEqual(anonymous.get(url).status_code, 302, url)
        for url in posts:
            self.assertEqual(anonymous.post(url, {}).status_code, 302, url)
        referral.refresh_from_db()
        # Nothing in the matrix approved it: the coordinator prepared it.
        self.assertEqual(referral.status, ReferralStatus.CANCELLED)
