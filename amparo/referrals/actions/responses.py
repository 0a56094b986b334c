"""After sending: the partner's response, the measure it advances, consent withdrawn."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone, translation

from amparo.accounts.models import User
from amparo.cases.models import Consent, ConsentScope
from amparo.cases.vault import OpenCase
from amparo.consent import rules
from amparo.consent.actions import consent_recorded
from amparo.referrals.actions.common import (
    REPLY_MAX_CHARS,
    ReferralError,
    check_text,
    record_step,
)
from amparo.referrals.models import Referral, ReferralOutcome, ReferralStatus

logger = logging.getLogger("amparo.referrals")


def do_record_response(
    opened: OpenCase,
    actor: User,
    referral: Referral,
    *,
    acknowledged: bool,
    outcome: str,
    reply: str,
) -> Referral:
    """The partner's acknowledgement, outcome and reply (encrypted), and the measure's step."""
    if not referral.was_sent:
        raise ReferralError("wrong_state")
    if outcome not in ReferralOutcome.values:
        raise ReferralError("unknown_outcome")
    reply = check_text(reply, REPLY_MAX_CHARS, required=False)
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        today = timezone.localdate()
        if acknowledged and locked.acknowledged_on is None:
            locked.acknowledged_on = today
            locked.status = ReferralStatus.ACKNOWLEDGED
        if outcome:
            locked.outcome = outcome
            locked.status = ReferralStatus.CLOSED
        if reply:
            locked.partner_reply = opened.encrypt_text(reply, locked.aad_field("reply"))
        locked.version += 1
        locked.save()
        _advance_measure(opened, actor, locked)
        record_step(
            actor,
            locked,
            "response",
            acknowledged=locked.acknowledged_on is not None,
            outcome=locked.outcome or None,
        )
    referral.refresh_from_db()
    return referral


def _advance_measure(opened: OpenCase, actor: User, referral: Referral) -> None:
    """Move the measure this referral serves along with the partner's answer."""
    measure = referral.measure
    if measure is None:
        return
    try:
        from amparo.protection.actions import (
            MeasureValues,
            ProtectionError,
            do_update_measure,
            read_measure,
        )
    except ImportError:
        return
    target = {
        ReferralOutcome.ACTED: "done",
        ReferralOutcome.DECLINED: "declined",
    }.get(ReferralOutcome(referral.outcome) if referral.outcome else ReferralOutcome.NONE)
    if target is None and referral.acknowledged_on is not None:
        target = "in_progress"
    if target is None or target == measure.status:
        return
    before = read_measure(opened, measure)
    values = MeasureValues(
        kind=measure.kind,
        owner=measure.owner,
        due_on=measure.due_on,
        **{
            key: before[key]
            for key in (
                "description",
                "defender_agreed",
                "outcome",
                "show_to_reporter",
                "show_partner",
                "partner",
            )
            if key in before
        },
    )
    try:
        do_update_measure(
            opened,
            actor,
            measure,
            values,
            status=target,
            expected_version=measure.version,
            note=f"referral {referral.public_id}",
        )
    except ProtectionError as error:
        # The measure moved on by itself (e.g. already done): keep the
        # referral's record and say nothing more.
        logger.info("measure not advanced by referral: %s", error.code)


def do_send_withdrawal_notice(actor: User, referral: Referral) -> None:
    """Tell the partner, without any case content, that consent was withdrawn."""
    if referral.withdrawn_on is None:
        raise ReferralError("not_withdrawn")
    if referral.withdrawal_notice_on is not None:
        raise ReferralError("notice_already_sent")
    from amparo.notify import outbox

    partner = referral.partner
    context = {"desk": settings.AMPARO_DESK_NAME, "referral": referral.public_id}
    with translation.override(partner.summary_language):
        subject = render_to_string("referrals/email_withdrawal_subject.txt", context)
        body = render_to_string("referrals/email_withdrawal_body.txt", context)
    with transaction.atomic():
        updated = Referral.objects.filter(pk=referral.pk, withdrawal_notice_on__isnull=True).update(
            withdrawal_notice_on=timezone.localdate()
        )
        if not updated:
            raise ReferralError("notice_already_sent")
        email_id = outbox.queue_one(
            partner.email,
            kind="referral_withdrawn",
            language=partner.summary_language,
            subject=subject,
            body=body,
        )
        transaction.on_commit(lambda: outbox.deliver_soon([email_id]))
        record_step(actor, referral, "withdrawal_notice")
    referral.refresh_from_db()


@receiver(consent_recorded)
def mark_withdrawn(sender: Any, consent: Consent, actor: Any, **kwargs: Any) -> None:
    """Inside the consent's transaction: sent referrals no longer covered are marked,
    and referrals waiting for approval lose their ground (approval will refuse)."""
    if consent.scope != ConsentScope.SHARE or consent.granted:
        return
    today: datetime.date = timezone.localdate()
    for referral in Referral.objects.select_for_update().filter(
        case_id=consent.case_id,
        status__in=[ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED, ReferralStatus.CLOSED],
        withdrawn_on__isnull=True,
    ):
        if rules.allows(
            consent.case, ConsentScope.SHARE, partner=referral.partner, fields=referral.fields
        ):
            continue
        Referral.objects.filter(pk=referral.pk).update(withdrawn_on=today)
        record_step(actor, referral, "consent_withdrawn")
