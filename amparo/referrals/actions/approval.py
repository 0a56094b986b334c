"""A referral from preparation to its package: two people, consent asked at each step."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from amparo.accounts.models import User
from amparo.cases.models import Consent, ConsentScope
from amparo.cases.vault import OpenCase
from amparo.consent import rules
from amparo.consent.details import case_details
from amparo.referrals import openpgp
from amparo.referrals.actions.common import (
    COVER_NOTE_MAX_CHARS,
    REASON_MAX_CHARS,
    ReferralError,
    check_text,
    record_step,
)
from amparo.referrals.actions.partners import check_partner_usable
from amparo.referrals.models import Partner, Referral, ReferralStatus
from amparo.referrals.package import build_contents
from amparo.referrals.signing import (
    SigningKeyUnavailable,
    active_key,
    do_create_signing_key,
    unlock,
)


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
    cover_note = check_text(cover_note, COVER_NOTE_MAX_CHARS)
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
        record_step(actor, referral, "prepared", partner=partner.public_id, fields=len(fields))
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
    reason = check_text(reason, REASON_MAX_CHARS)
    with transaction.atomic():
        locked = _claim(referral)
        locked.status = ReferralStatus.SENT_BACK
        locked.decided_by = actor
        locked.decided_on = timezone.localdate()
        locked.sent_back_reason = opened.encrypt_text(reason, locked.aad_field("sent-back"))
        locked.version += 1
        locked.save()
        record_step(actor, locked, "sent_back")
    referral.refresh_from_db()


def do_cancel_referral(actor: User, referral: Referral) -> None:
    if not (actor.is_coordinator or referral.prepared_by_id == actor.pk):
        raise ReferralError("not_coordinator")
    with transaction.atomic():
        locked = _claim(referral)
        locked.status = ReferralStatus.CANCELLED
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        record_step(actor, locked, "cancelled")
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
        record_step(
            actor,
            locked,
            "approved_and_sent",
            prepared_by=locked.prepared_by_id,
            approved_by=actor.pk,
            partner=partner.public_id,
            partner_fingerprint=partner.fingerprint,
            signing_fingerprint=signing_key.fingerprint,
            package_sha256=locked.package_sha256,
            by_email=by_email,
            consent=grant.public_id,
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
        record_step(actor, locked, "downloaded", package_sha256=locked.package_sha256)
    referral.refresh_from_db()
    return package
