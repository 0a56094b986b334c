"""The package: decrypted with the partner's key made here, exactly the consented details."""

from __future__ import annotations

import hashlib
from typing import Any

import pysequoia

from amparo.audit.models import AuditEvent
from amparo.cases.models import ConsentMethod
from amparo.consent.actions import FOLLOW_UP_WORDING, do_record_consent
from amparo.notify.models import OutboundEmail
from amparo.referrals.actions.approval import (
    do_approve,
    do_download_package,
    do_prepare_referral,
    do_send_back,
)
from amparo.referrals.actions.common import ReferralError
from amparo.referrals.actions.responses import do_send_withdrawal_notice
from amparo.referrals.models import Referral, ReferralStatus
from amparo.referrals.tests.base import (
    FILE_BYTES,
    NAME,
    NARRATIVE,
    OTHER_FILE,
    ReferralTestCase,
    open_package,
)
from amparo.tests.base import Persona


class PackageTest(ReferralTestCase):
    def prepare(self, fields: list[str] | None = None) -> Any:
        partner, key = self.make_partner()
        created, shared, other = self.make_case()
        wanted = fields or ["answer:narrative", f"file:{shared.public_id}"]
        self.consent_to(created, partner, wanted)
        referral = do_prepare_referral(
            created.opened,
            self.coordinator.user,
            partner=partner,
            fields=wanted,
            cover_note="Please consider relocation support. COVER-MARKER-5120",
        )
        return partner, key, created, shared, other, referral

    def approve(self, persona: Persona, created: Any, referral: Referral) -> Referral:
        from amparo.cases.vault import open_for_staff

        opened = open_for_staff(created.case, persona.user, persona.private_key())
        return do_approve(opened, persona.user, persona.private_key(), referral, by_email=True)

    def test_it_holds_exactly_the_consented_details_and_decrypts(self) -> None:
        partner, key, created, shared, _other, referral = self.prepare()
        referral = self.approve(self.second_coordinator, created, referral)
        self.assertEqual(referral.status, ReferralStatus.SENT)
        package = bytes(referral.package)
        # Ciphertext at rest: no marker readable.
        for marker in (b"MARKER", b"COVER-MARKER"):
            self.assertNotIn(marker, package)
        opened = open_package(package, key)
        self.assertEqual(len(opened.signed_by), 1)
        self.assertIn(NARRATIVE, opened.summary)
        self.assertIn("COVER-MARKER-5120", opened.summary)
        for absent in (NAME, "MARKER-NAME", "MARKER-OTHERFILE"):
            self.assertNotIn(absent.encode(), opened.raw)
        self.assertNotIn(OTHER_FILE, opened.raw)
        ((path, content),) = opened.files.items()
        self.assertEqual(content, FILE_BYTES)
        manifest = opened.manifest
        self.assertEqual(manifest["schema"], "amparo-referral/1")
        self.assertEqual(manifest["referral"], referral.public_id)
        self.assertEqual(manifest["files"][0]["sha256"], hashlib.sha256(FILE_BYTES).hexdigest())
        self.assertEqual(manifest["files"][0]["path"], path)
        self.assertEqual(
            sorted(manifest["fields"]), sorted(["answer:narrative", f"file:{shared.public_id}"])
        )
        self.assertEqual(manifest["consent"]["for"], f"partner:{partner.pk}")
        # Audited: who prepared, who approved, the fingerprints.
        event = AuditEvent.objects.filter(action="referral").order_by("-seq").first()
        assert event is not None
        self.assertEqual(event.details["prepared_by"], self.coordinator.user.pk)
        self.assertEqual(event.details["approved_by"], self.second_coordinator.user.pk)
        self.assertEqual(event.details["partner_fingerprint"], partner.fingerprint)
        # The outbox carries the same package, and a content-free subject.
        email = OutboundEmail.objects.get(kind="referral")
        self.assertEqual(bytes(email.attachment), package)
        self.assertNotIn("MARKER", email.subject + email.body)
        self.assertNotIn(created.case.reference, email.subject + email.body)

    def test_a_downloaded_package_is_gone_from_the_server(self) -> None:
        _p, key, created, _s, _o, referral = self.prepare()
        referral = self.approve(self.second_coordinator, created, referral)
        package = do_download_package(self.second_coordinator.user, referral)
        open_package(package, key)
        referral.refresh_from_db()
        self.assertIsNone(referral.package)
        with self.assertRaises(ReferralError) as raised:
            do_download_package(self.second_coordinator.user, referral)
        self.assertEqual(raised.exception.code, "already_downloaded")

    def test_the_preparer_cannot_approve(self) -> None:
        _p, _k, created, _s, _o, referral = self.prepare()
        with self.assertRaises(ReferralError) as raised:
            self.approve(self.coordinator, created, referral)
        self.assertEqual(raised.exception.code, "preparer_cannot_approve")

    def test_approval_after_withdrawal_is_refused(self) -> None:
        partner, _k, created, _s, _o, referral = self.prepare()
        do_record_consent(
            created.case,
            scope="share",
            granted=False,
            method=ConsentMethod.FOLLOW_UP,
            wording_version=FOLLOW_UP_WORDING,
            partner=partner,
        )
        with self.assertRaises(ReferralError) as raised:
            self.approve(self.second_coordinator, created, referral)
        self.assertIn(raised.exception.code, ("consent_withdrawn", "no_consent"))
        referral.refresh_from_db()
        self.assertEqual(referral.status, ReferralStatus.AWAITING_APPROVAL)

    def test_an_expired_key_is_refused_at_approval(self) -> None:
        import datetime
        from unittest import mock

        from amparo.referrals import openpgp

        partner, _k = self.make_partner(validity_seconds=3600)
        created, _s, _o = self.make_case()
        self.consent_to(created, partner, ["answer:narrative"])
        referral = do_prepare_referral(
            created.opened,
            self.coordinator.user,
            partner=partner,
            fields=["answer:narrative"],
            cover_note="x",
        )
        assert partner.key_expires is not None
        # A real key with a real expiry; only the clock moves on, past it.
        later = partner.key_expires + datetime.timedelta(minutes=1)
        with (
            mock.patch.object(openpgp, "clock", return_value=later),
            self.assertRaises(ReferralError) as raised,
        ):
            self.approve(self.second_coordinator, created, referral)
        self.assertEqual(raised.exception.code, "key_expired")

    def test_a_tampered_key_is_refused_at_approval(self) -> None:
        partner, _k, created, _s, _o, referral = self.prepare()
        other = pysequoia.Tsk.generate("Mallory <m@example.org>")
        from amparo.referrals.models import Partner
        from amparo.referrals.tests.base import public_cert

        # Someone with database access swaps the certificate behind the confirmed fingerprint.
        Partner.objects.filter(pk=partner.pk).update(certificate=str(public_cert(other)))
        referral.refresh_from_db()
        with self.assertRaises(ReferralError) as raised:
            self.approve(self.second_coordinator, created, referral)
        self.assertEqual(raised.exception.code, "key_tampered")

    def test_a_partner_without_consent_is_refused_at_preparation(self) -> None:
        partner, _k = self.make_partner()
        created, _s, _o = self.make_case()
        with self.assertRaises(ReferralError) as raised:
            do_prepare_referral(
                created.opened,
                self.coordinator.user,
                partner=partner,
                fields=["answer:narrative"],
                cover_note="x",
            )
        self.assertEqual(raised.exception.code, "no_consent")

    def test_details_beyond_consent_are_named_and_refused(self) -> None:
        partner, _k = self.make_partner()
        created, _s, _o = self.make_case()
        self.consent_to(created, partner, ["answer:narrative"])
        with self.assertRaises(ReferralError) as raised:
            do_prepare_referral(
                created.opened,
                self.coordinator.user,
                partner=partner,
                fields=["answer:narrative", "answer:name"],
                cover_note="x",
            )
        self.assertEqual(raised.exception.code, "not_consented")
        self.assertEqual(raised.exception.refused, ["answer:name"])

    def test_sending_back_needs_a_reason_and_a_second_person(self) -> None:
        _p, _k, created, _s, _o, referral = self.prepare()
        from amparo.cases.vault import open_for_staff

        opened = open_for_staff(
            created.case, self.second_coordinator.user, self.second_coordinator.private_key()
        )
        with self.assertRaises(ReferralError) as raised:
            do_send_back(opened, self.coordinator.user, referral, "no")
        self.assertEqual(raised.exception.code, "preparer_cannot_approve")
        with self.assertRaises(ReferralError):
            do_send_back(opened, self.second_coordinator.user, referral, "  ")
        do_send_back(opened, self.second_coordinator.user, referral, "Ask about the file first.")
        referral.refresh_from_db()
        self.assertEqual(referral.status, ReferralStatus.SENT_BACK)
        self.assertNotIn(b"Ask about", bytes(referral.sent_back_reason))

    def test_withdrawal_after_sending_marks_it_and_a_notice_carries_no_content(self) -> None:
        _partner, _k, created, _s, _o, referral = self.prepare()
        referral = self.approve(self.second_coordinator, created, referral)
        do_record_consent(
            created.case,
            scope="share",
            granted=False,
            method=ConsentMethod.FOLLOW_UP,
            wording_version=FOLLOW_UP_WORDING,
        )
        referral.refresh_from_db()
        self.assertIsNotNone(referral.withdrawn_on)
        do_send_withdrawal_notice(self.second_coordinator.user, referral)
        notice = OutboundEmail.objects.get(kind="referral_withdrawn")
        self.assertIsNone(notice.attachment)
        self.assertIn(referral.public_id, notice.body)
        for absent in ("MARKER", created.case.reference):
            self.assertNotIn(absent, notice.subject + notice.body)
        with self.assertRaises(ReferralError) as raised:
            do_send_withdrawal_notice(self.second_coordinator.user, referral)
        self.assertEqual(raised.exception.code, "notice_already_sent")


class CaseDeletionTest(ReferralTestCase):
    def test_deleting_a_case_removes_its_referrals_and_consents(self) -> None:
        from amparo.cases.models import Case, Consent
        from amparo.cases.vault import open_for_staff

        partner, _key = self.make_partner()
        created, _s, _o = self.make_case()
        self.consent_to(created, partner, ["answer:narrative"])
        referral = do_prepare_referral(
            created.opened,
            self.coordinator.user,
            partner=partner,
            fields=["answer:narrative"],
            cover_note="x",
        )
        approver = self.second_coordinator
        opened = open_for_staff(created.case, approver.user, approver.private_key())
        do_approve(opened, approver.user, approver.private_key(), referral, by_email=False)
        Case.objects.filter(pk=created.case.pk).delete()
        self.assertFalse(Referral.objects.exists())
        self.assertFalse(Consent.objects.filter(case_id=created.case.pk).exists())
        partner.refresh_from_db()  # the partner stays
