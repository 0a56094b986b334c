"""Packages and withdrawal notices through the outbox to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from amparo.cases.models import ConsentMethod
from amparo.cases.vault import open_for_staff
from amparo.consent.actions import FOLLOW_UP_WORDING, do_record_consent
from amparo.notify.outbox import deliver_due
from amparo.referrals.actions.approval import do_approve, do_prepare_referral
from amparo.referrals.actions.responses import do_send_withdrawal_notice
from amparo.referrals.tests.base import NARRATIVE, ReferralTestCase, open_package

if TYPE_CHECKING:
    from amparo.notify.tests.conftest import SMTPServer


@pytest.mark.usefixtures("smtp")
class PartnerEmailTest(ReferralTestCase):
    smtp: SMTPServer

    def test_the_package_arrives_and_subject_and_headers_say_nothing(self) -> None:
        partner, key = self.make_partner()
        created, shared, _other = self.make_case()
        fields = ["answer:narrative", f"file:{shared.public_id}"]
        self.consent_to(created, partner, fields)
        referral = do_prepare_referral(
            created.opened,
            self.coordinator.user,
            partner=partner,
            fields=fields,
            cover_note="COVER-MARKER-8842",
        )
        approver = self.second_coordinator
        opened = open_for_staff(created.case, approver.user, approver.private_key())
        with self.captureOnCommitCallbacks(execute=True):
            do_approve(opened, approver.user, approver.private_key(), referral, by_email=True)
        deliver_due()
        (received,) = self.smtp.received
        self.assertEqual(received.rcpt_tos, ["fund@example.org"])
        headers = "\n".join(f"{k}: {v}" for k, v in received.message.items())
        for secret in ("MARKER", created.case.reference, partner.name, "summons"):
            self.assertNotIn(secret, headers)
            self.assertNotIn(secret, received.body)
        (attachment,) = list(received.message.iter_attachments())
        self.assertEqual(attachment.get_filename(), f"{referral.public_id}.pgp")
        package = attachment.get_payload(decode=True)
        assert isinstance(package, bytes)
        opened_package = open_package(package, key)
        self.assertIn(NARRATIVE, opened_package.summary)
        self.assertIn("COVER-MARKER-8842", opened_package.summary)

        do_record_consent(
            created.case,
            scope="share",
            granted=False,
            method=ConsentMethod.FOLLOW_UP,
            wording_version=FOLLOW_UP_WORDING,
            partner=partner,
        )
        referral.refresh_from_db()
        with self.captureOnCommitCallbacks(execute=True):
            do_send_withdrawal_notice(approver.user, referral)
        deliver_due()
        notice = self.smtp.received[-1]
        self.assertEqual(list(notice.message.iter_attachments()), [])
        everything = notice.body + "\n".join(f"{k}: {v}" for k, v in notice.message.items())
        for secret in ("MARKER", created.case.reference, "summons"):
            self.assertNotIn(secret, everything)
