"""Partners and referrals: every change atomic and audited.

Two people: one prepares a referral, a coordinator who is not the preparer
approves it (or sends it back with a reason). Consent is asked at each step,
at the moment of the step: preparing, approving (again inside the approving
transaction), and whenever consent changes after sending.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone, translation

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases.models import Consent, ConsentScope
from amparo.cases.vault import OpenCase
from amparo.consent import rules
from amparo.consent.actions import consent_recorded
from amparo.consent.details import case_details
from amparo.referrals import openpgp
from amparo.referrals.models import Partner, Referral, ReferralOutcome, ReferralStatus
from amparo.referrals.package import build_contents
from amparo.referrals.signing import (
    SigningKeyUnavailable,
    active_key,
    do_create_signing_key,
    unlock,
)

logger = logging.getLogger("amparo.referrals")

COVER_NOTE_MAX_CHARS = 8_000
REASON_MAX_CHARS = 4_000
REPLY_MAX_CHARS = 20_000


class ReferralError(Exception):
    """A step that cannot be taken; ``code`` names the reason, ``refused`` the details."""

    def __init__(self, code: str, refused: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.refused = refused or []


# --- Partners -----------------------------------------------------------------------------


@dataclass
class PartnerValues:
    name: str
    kind: str
    email: str
    languages: list[str]
    countries: list[str]
    regions: list[str]
    measures: list[str]


def _check_administrator(actor: User) -> None:
    if not actor.is_administrator:
        raise ReferralError("not_administrator")


def do_add_partner(actor: User, values: PartnerValues, certificate: str) -> Partner:
    """Add a partner with a checked certificate; it is unconfirmed until its
    fingerprint is typed back or confirmed by a second administrator."""
    _check_administrator(actor)
    try:
        checked = openpgp.check_certificate(certificate)
    except openpgp.CertificateError as error:
        raise ReferralError(f"key_{error.code}") from None
    partner = Partner(
        name=values.name.strip(),
        kind=values.kind,
        email=values.email,
        languages=values.languages,
        countries=values.countries,
        regions=values.regions,
        measures=values.measures,
        certificate=checked.armored,
        fingerprint=checked.fingerprint,
        key_expires=checked.expires,
        added_by=actor,
    )
    with transaction.atomic():
        partner.save()
        record(
            actor,
            "partner_changed",
            target_type="partner",
            target_id=partner.public_id,
            details={"step": "added", "fingerprint": checked.fingerprint},
        )
    return partner


def do_update_partner(
    actor: User, partner: Partner, values: PartnerValues, certificate: str = ""
) -> Partner:
    """Change a partner's details; a new certificate needs confirming again."""
    _check_administrator(actor)
    new_key = bool(certificate.strip())
    if new_key:
        try:
            checked = openpgp.check_certificate(certificate)
        except openpgp.CertificateError as error:
            raise ReferralError(f"key_{error.code}") from None
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        for name in ("kind", "email", "languages", "countries", "regions", "measures"):
            setattr(partner, name, getattr(values, name))
        partner.name = values.name.strip()
        if new_key and checked.fingerprint != partner.fingerprint:
            partner.certificate = checked.armored
            partner.fingerprint = checked.fingerprint
            partner.key_expires = checked.expires
            partner.confirmed_at = None
            partner.confirmed_by = None
            partner.confirmed_how = ""
        elif new_key:
            # Same key, refreshed (e.g. a new expiry date): no new confirmation.
            partner.certificate = checked.armored
            partner.key_expires = checked.expires
        partner.save()
        record(
            actor,
            "partner_changed",
            target_type="partner",
            target_id=partner.public_id,
            details={"step": "changed", "fingerprint": partner.fingerprint, "new_key": new_key},
        )
    return partner


def do_confirm_partner_key(actor: User, partner: Partner, *, typed: str = "") -> Partner:
    """Confirm the fingerprint: typed back in full, or by a second administrator."""
    _check_administrator(actor)
    if partner.confirmed:
        raise ReferralError("already_confirmed")
    if typed:
        if openpgp.normalise_fingerprint(typed) != partner.fingerprint:
            raise ReferralError("fingerprint_mismatch")
        how = "typed"
    elif partner.added_by_id is not None and partner.added_by_id != actor.pk:
        how = "second_admin"
    else:
        raise ReferralError("confirm_needs_typing")
    with transaction.atomic():
        updated = Partner.objects.filter(
            pk=partner.pk, fingerprint=partner.fingerprint, confirmed_at__isnull=True
        ).update(confirmed_by=actor, confirmed_at=timezone.now(), confirmed_how=how)
        if not updated:
            raise ReferralError("already_confirmed")
        record(
            actor,
            "partner_changed",
            target_type="partner",
            target_id=partner.public_id,
            details={"step": "confirmed", "how": how, "fingerprint": partner.fingerprint},
        )
    partner.refresh_from_db()
    return partner


def do_set_partner_active(actor: User, partner: Partner, active: bool) -> None:
    _check_administrator(actor)
    with transaction.atomic():
        Partner.objects.filter(pk=partner.pk).update(active=active)
        record(
            actor,
            "partner_changed",
            target_type="partner",
            target_id=partner.public_id,
            details={"step": "activated" if active else "deactivated"},
        )
    partner.refresh_from_db()


def check_partner_usable(partner: Partner) -> Any:
    """The partner's certificate, parsed and checked now, or ReferralError."""
    if not partner.active:
        raise ReferralError("partner_inactive")
    if not partner.confirmed:
        raise ReferralError("partner_unconfirmed")
    try:
        checked = openpgp.check_certificate(partner.certificate)
    except openpgp.CertificateError as error:
        if error.code == "unparseable":
            raise ReferralError("key_tampered") from None
        raise ReferralError(f"key_{error.code}") from None
    if checked.fingerprint != partner.fingerprint:
        # The stored certificate is not the one whose fingerprint was confirmed.
        raise ReferralError("key_tampered")
    return openpgp.load_certificate(checked.armored)


# --- Referrals ----------------------------------------------------------------------------


def refused_details(case: Any, partner: Partner, fields: list[str]) -> list[str]:
    """The details of ``fields`` that consent does not cover for ``partner`` today."""
    return [
        code
        for code in fields
        if not rules.allows(case, ConsentScope.SHARE, partner=partner, fields=[code])
    ]


def _check_consent(case: Any, partner: Partner, fields: list[str], *, code: str) -> Consent:
    if not rules.sharing_state(case):
        raise ReferralError("no_consent")
    refused = refused_details(case, partner, fields)
    if refused:
        raise ReferralError(code, refused)
    grant = rules.sharing_grant(case, partner, fields)
    if grant is None:
        # Each detail is covered, but by different grants: ask for one answer.
        raise ReferralError(code, list(fields))
    return grant


def _check_text(text: str, limit: int, *, required: bool = True) -> str:
    text = text.strip()
    if required and not text:
        raise ReferralError("empty")
    if len(text) > limit:
        raise ReferralError("too_long")
    return text


def do_prepare_referral(
    opened: OpenCase,
    actor: User,
    *,
    partner: Partner,
    fields: list[str],
    cover_note: str,
    measure: Any = None,
) -> Referral:
    """Prepare a referral for a coordinator's approval, within what consent covers."""
    case = opened.case
    fields = sorted(set(fields))
    if not fields:
        raise ReferralError("no_fields")
    known = {detail.code for detail in case_details(opened)}
    if not set(fields) <= known:
        raise ReferralError("unknown_field")
    cover_note = _check_text(cover_note, COVER_NOTE_MAX_CHARS)
    check_partner_usable(partner)
    _check_consent(case, partner, fields, code="not_consented")
    if measure is not None and measure.case_id != case.pk:
        raise ReferralError("unknown_measure")
    referral = Referral(
        case=case,
        partner=partner,
        measure=measure,
        fields=fields,
        prepared_by=actor,
        prepared_on=timezone.localdate(),
    )
    referral.cover_note = opened.encrypt_text(cover_note, referral.aad_field("cover"))
    with transaction.atomic():
        referral.save()
        record(
            actor,
            "referral",
            target_type="case",
            target_id=case.public_id,
            details={
                "referral": referral.public_id,
                "step": "prepared",
                "partner": partner.public_id,
                "fields": len(fields),
            },
        )
    return referral


def _claim(referral: Referral, expected: str = ReferralStatus.AWAITING_APPROVAL) -> Referral:
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.status != expected:
        raise ReferralError("not_awaiting" if expected == "awaiting_approval" else "wrong_state")
    return locked


def _check_decider(actor: User, referral: Referral) -> None:
    if not actor.is_coordinator:
        raise ReferralError("not_coordinator")
    if referral.prepared_by_id == actor.pk:
        raise ReferralError("preparer_cannot_approve")


def do_send_back(opened: OpenCase, actor: User, referral: Referral, reason: str) -> None:
    _check_decider(actor, referral)
    reason = _check_text(reason, REASON_MAX_CHARS)
    with transaction.atomic():
        locked = _claim(referral)
        locked.status = ReferralStatus.SENT_BACK
        locked.decided_by = actor
        locked.decided_on = timezone.localdate()
        locked.sent_back_reason = opened.encrypt_text(reason, locked.aad_field("sent-back"))
        locked.version += 1
        locked.save()
        record(
            actor,
            "referral",
            target_type="case",
            target_id=locked.case.public_id,
            details={"referral": locked.public_id, "step": "sent_back"},
        )
    referral.refresh_from_db()


def do_cancel_referral(actor: User, referral: Referral) -> None:
    if not (actor.is_coordinator or referral.prepared_by_id == actor.pk):
        raise ReferralError("not_coordinator")
    with transaction.atomic():
        locked = _claim(referral)
        locked.status = ReferralStatus.CANCELLED
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        record(
            actor,
            "referral",
            target_type="case",
            target_id=locked.case.public_id,
            details={"referral": locked.public_id, "step": "cancelled"},
        )
    referral.refresh_from_db()


def _partner_email(
    partner: Partner, referral: Referral, signing_fingerprint: str
) -> tuple[str, str]:
    context = {
        "desk": settings.AMPARO_DESK_NAME,
        "referral": referral.public_id,
        "signing_fingerprint": openpgp.format_fingerprint(signing_fingerprint),
        "partner_fingerprint": openpgp.format_fingerprint(partner.fingerprint),
    }
    with translation.override(partner.summary_language):
        subject = render_to_string("referrals/email_package_subject.txt", context)
        body = render_to_string("referrals/email_package_body.txt", context)
    return subject, body


def do_approve(
    opened: OpenCase,
    actor: User,
    private_key: bytes,
    referral: Referral,
    *,
    by_email: bool,
) -> Referral:
    """Approve, build the package (encrypted to the partner, signed by the desk),
    and hand it to the outbox and/or keep it for one download."""
    case = opened.case
    _check_decider(actor, referral)
    if referral.status != ReferralStatus.AWAITING_APPROVAL:
        raise ReferralError("not_awaiting")
    partner = referral.partner
    recipient = check_partner_usable(partner)
    grant = _check_consent(case, partner, list(referral.fields), code="consent_withdrawn")
    if active_key() is None:
        do_create_signing_key(actor)
    try:
        signing_key, signer = unlock(actor, private_key)
    except SigningKeyUnavailable:
        raise ReferralError("no_signing_key") from None
    cover_note = opened.decrypt_text(referral.cover_note, referral.aad_field("cover"))
    try:
        contents = build_contents(
            opened,
            referral_id=referral.public_id,
            partner=partner,
            fields=list(referral.fields),
            cover_note=cover_note,
            consent=grant,
        )
    except LookupError:
        raise ReferralError("unknown_field") from None
    package = openpgp.encrypt_and_sign(contents.plaintext, recipient, signer)
    del contents
    with transaction.atomic():
        locked = _claim(referral)
        # Asked again under the lock: a withdrawal that committed while the
        # package was being built wins.
        again = _check_consent(case, partner, list(locked.fields), code="consent_withdrawn")
        if again.pk != grant.pk:
            raise ReferralError("consent_changed")
        today = timezone.localdate()
        locked.status = ReferralStatus.SENT
        locked.decided_by = actor
        locked.decided_on = today
        locked.consent = grant
        locked.partner_fingerprint = partner.fingerprint
        locked.signing_fingerprint = signing_key.fingerprint
        locked.package = package
        locked.package_sha256 = hashlib.sha256(package).hexdigest()
        locked.package_bytes = len(package)
        locked.by_email = by_email
        locked.version += 1
        locked.save()
        email_id = None
        if by_email:
            from amparo.notify import outbox

            subject, body = _partner_email(partner, locked, signing_key.fingerprint)
            email_id = outbox.queue_one(
                partner.email,
                kind="referral",
                language=partner.summary_language,
                subject=subject,
                body=body,
                attachment=package,
                attachment_name=f"{locked.public_id}.pgp",
            )
            transaction.on_commit(lambda: outbox.deliver_soon([email_id]))
        record(
            actor,
            "referral",
            target_type="case",
            target_id=case.public_id,
            details={
                "referral": locked.public_id,
                "step": "approved_and_sent",
                "prepared_by": locked.prepared_by_id,
                "approved_by": actor.pk,
                "partner": partner.public_id,
                "partner_fingerprint": partner.fingerprint,
                "signing_fingerprint": signing_key.fingerprint,
                "package_sha256": locked.package_sha256,
                "by_email": by_email,
                "consent": grant.public_id,
            },
        )
    referral.refresh_from_db()
    return referral


def do_download_package(actor: User, referral: Referral) -> bytes:
    """The package, once: it is erased from the server as it is handed over."""
    if not (actor.is_coordinator or referral.prepared_by_id == actor.pk):
        raise ReferralError("not_coordinator")
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.package is None or not locked.was_sent:
            raise ReferralError("already_downloaded")
        package = bytes(locked.package)
        locked.package = None
        locked.downloaded_by = actor
        locked.downloaded_on = timezone.localdate()
        locked.save(update_fields=["package", "downloaded_by", "downloaded_on"])
        record(
            actor,
            "referral",
            target_type="case",
            target_id=locked.case.public_id,
            details={
                "referral": locked.public_id,
                "step": "downloaded",
                "package_sha256": locked.package_sha256,
            },
        )
    referral.refresh_from_db()
    return package


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
    reply = _check_text(reply, REPLY_MAX_CHARS, required=False)
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
        record(
            actor,
            "referral",
            target_type="case",
            target_id=locked.case.public_id,
            details={
                "referral": locked.public_id,
                "step": "response",
                "acknowledged": locked.acknowledged_on is not None,
                "outcome": locked.outcome or None,
            },
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
        record(
            actor,
            "referral",
            target_type="case",
            target_id=referral.case.public_id,
            details={"referral": referral.public_id, "step": "withdrawal_notice"},
        )
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
        record(
            actor,
            "referral",
            target_type="case",
            target_id=consent.case.public_id,
            details={"referral": referral.public_id, "step": "consent_withdrawn"},
        )
