"""Recording consent and sharing requests: every change atomic and audited.

A consent is never edited: each grant and each withdrawal is a new record
(``amparo.cases.models.Consent``), with the wording version the person saw,
their language and how it was obtained. When the team records a choice made
in a conversation, a note of what the person was told about the risks is
required and is kept encrypted under the case key.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from amparo.audit.log import record
from amparo.cases.models import Case, Consent, ConsentMethod, ConsentScope
from amparo.cases.vault import OpenCase
from amparo.consent.models import RequestStatus, SharingRequest
from amparo.consent.rules import ANSWER_PREFIX, CODING, FILE_PREFIX, RISK_SUMMARY, SIMPLE_SCOPES

# The wording each way of asking shows; a change of wording bumps the version.
FOLLOW_UP_WORDING = "follow-up-1"
STAFF_WORDING = "staff-conversation-1"
RISK_NOTE_MAX_CHARS = 4_000
REASON_MAX_CHARS = 4_000

# Sent inside the recording transaction, so that what depends on consent
# (e.g. referrals already sent) is marked in the same commit.
consent_recorded = Signal()


class ConsentError(Exception):
    """A choice that cannot be recorded; ``code`` says why, for the view's message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _valid_field(code: str) -> bool:
    return code in (CODING, RISK_SUMMARY) or (
        code.startswith((ANSWER_PREFIX, FILE_PREFIX)) and len(code) > len(FILE_PREFIX)
    )


def _check_target(scope: str, granted: bool, partner: Any, partner_kind: str) -> None:
    if scope == ConsentScope.SHARE:
        if partner is not None and partner_kind:
            raise ConsentError("one_target")
        if granted and partner is None and not partner_kind:
            raise ConsentError("no_partner")
    elif partner is not None or partner_kind:
        raise ConsentError("partner_only_for_sharing")
    elif scope not in SIMPLE_SCOPES:
        raise ConsentError("unknown_scope")


def do_record_consent(
    case: Case,
    *,
    scope: str,
    granted: bool,
    method: str,
    wording_version: str,
    language: str = "",
    actor: Any = None,
    opened: OpenCase | None = None,
    risk_note: str = "",
    partner: Any = None,
    partner_kind: str = "",
    fields: Iterable[str] = (),
    until: datetime.date | None = None,
) -> Consent:
    """Record one grant or withdrawal as a new record and audit it.

    ``actor`` is None when the reporter chose on the follow-up page. The team
    (``method`` STAFF) must give ``risk_note`` and the ``opened`` case to
    encrypt it under.
    """
    fields = sorted(set(fields))
    _check_target(scope, granted, partner, partner_kind)
    if scope == ConsentScope.SHARE and granted and not fields:
        raise ConsentError("no_fields")
    if any(not _valid_field(code) for code in fields):
        raise ConsentError("unknown_field")
    if scope != ConsentScope.SHARE and fields:
        raise ConsentError("fields_only_for_sharing")
    today = timezone.localdate()
    if until is not None and (not granted or until < today):
        raise ConsentError("until_in_past" if granted else "until_on_withdrawal")
    consent = Consent(
        case=case,
        scope=scope,
        granted=granted,
        wording_version=wording_version,
        language=language,
        method=method,
        partner=partner,
        partner_kind=partner_kind,
        fields=fields,
        until=until,
        recorded_on=today,
        recorded_by=actor,
    )
    risk_note = risk_note.strip()
    if method == ConsentMethod.STAFF:
        if actor is None:
            raise ConsentError("staff_needs_actor")
        if not risk_note:
            raise ConsentError("risk_note_required")
        if len(risk_note) > RISK_NOTE_MAX_CHARS:
            raise ConsentError("too_long")
        if opened is None or opened.case.pk != case.pk:
            raise ConsentError("case_not_open")
        consent.risk_note = opened.encrypt_text(risk_note, consent.aad_field())
    elif risk_note:
        raise ConsentError("risk_note_only_for_staff")
    with transaction.atomic():
        consent.save()
        consent_recorded.send(sender=Consent, consent=consent, actor=actor)
        record(
            actor,
            "consent_changed",
            target_type="case",
            target_id=case.public_id,
            details={
                "consent": consent.public_id,
                "scope": scope,
                "granted": granted,
                "method": method,
                "partner": partner.public_id if partner is not None else None,
                "kind": partner_kind or None,
                "fields": len(fields),
            },
        )
    return consent


def do_propose_sharing(
    opened: OpenCase,
    actor: Any,
    *,
    reason: str,
    fields: Iterable[str],
    partner: Any = None,
    partner_kind: str = "",
) -> SharingRequest:
    """Ask the reporter, on their follow-up page, to agree to share ``fields``."""
    fields = sorted(set(fields))
    if partner is not None and partner_kind:
        raise ConsentError("one_target")
    if partner is None and not partner_kind:
        raise ConsentError("no_partner")
    if not fields:
        raise ConsentError("no_fields")
    if any(not _valid_field(code) for code in fields):
        raise ConsentError("unknown_field")
    reason = reason.strip()
    if not reason:
        raise ConsentError("reason_required")
    if len(reason) > REASON_MAX_CHARS:
        raise ConsentError("too_long")
    request = SharingRequest(
        case=opened.case,
        partner=partner,
        partner_kind=partner_kind,
        fields=fields,
        proposed_by=actor,
        proposed_on=timezone.localdate(),
    )
    request.reason = opened.encrypt_text(reason, request.aad_field())
    with transaction.atomic():
        request.save()
        record(
            actor,
            "sharing_request",
            target_type="case",
            target_id=opened.case.public_id,
            details={"request": request.public_id, "step": "proposed", "fields": len(fields)},
        )
    return request


def do_answer_sharing_request(
    request: SharingRequest,
    *,
    agree: bool,
    until: datetime.date | None = None,
    language: str = "",
) -> Consent:
    """The reporter's answer, recorded as consent (or refusal) for that target."""
    with transaction.atomic():
        locked = SharingRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.OPEN:
            raise ConsentError("already_answered")
        consent = do_record_consent(
            locked.case,
            scope=ConsentScope.SHARE,
            granted=agree,
            method=ConsentMethod.FOLLOW_UP,
            wording_version=FOLLOW_UP_WORDING,
            language=language,
            partner=locked.partner,
            partner_kind=locked.partner_kind,
            fields=locked.fields if agree else (),
            until=until if agree else None,
        )
        locked.status = RequestStatus.AGREED if agree else RequestStatus.REFUSED
        locked.answered_on = timezone.localdate()
        locked.answer = consent
        locked.save(update_fields=["status", "answered_on", "answer"])
        record(
            None,
            "sharing_request",
            target_type="case",
            target_id=locked.case.public_id,
            details={"request": locked.public_id, "step": locked.status},
        )
    request.refresh_from_db()
    return consent


def do_cancel_sharing_request(actor: Any, request: SharingRequest) -> None:
    with transaction.atomic():
        updated = SharingRequest.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
            status=RequestStatus.CANCELLED, answered_on=timezone.localdate()
        )
        if not updated:
            raise ConsentError("already_answered")
        record(
            actor,
            "sharing_request",
            target_type="case",
            target_id=request.case.public_id,
            details={"request": request.public_id, "step": "cancelled"},
        )
    request.refresh_from_db()
