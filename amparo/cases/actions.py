"""State changes of cases: each one atomic and audited.

Sealing rules: a new case's data key is sealed to every coordinator holding
a key pair, to the staff member who entered it (if any) and to the reporter's
receipt-derived key pair. Granting access later needs someone who already
holds the key and is signed in: the server alone cannot do it, by design.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases.models import (
    Case,
    CaseKey,
    Channel,
    Consent,
    Message,
    ReferenceCounter,
    Sender,
    Urgency,
)
from amparo.cases.vault import RECEIPT_SALT, OpenCase, open_for_staff, reporter_context
from amparo.crypto import (
    derive_receipt_secrets,
    generate_keypair,
    generate_receipt,
    new_data_key,
    seal_data_key,
    wrap_with_key,
)
from amparo.lib.binary import as_bytes

logger = logging.getLogger("amparo.cases")


class CaseError(Exception):
    """A change that cannot be made; ``code`` says why, for the view's message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def allocate_reference(year: int) -> str:
    """The next AMP-<year>-<n> reference; must run inside the creating transaction.

    The counter row is locked, so concurrent submissions get distinct numbers
    and a rolled-back submission gives its number back.
    """
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"AMP-{year}-{counter.last:04d}"


def desk_recipients() -> list[User]:
    return list(User.objects.filter(is_active=True, is_coordinator=True, public_key__isnull=False))


@dataclass
class NewCase:
    case: Case
    receipt: str | None = field(repr=False)
    opened: OpenCase = field(repr=False)


@dataclass
class ConsentChoice:
    scope: str
    granted: bool
    wording_version: str


def do_create_case(
    *,
    answers: dict[str, Any],
    language: str,
    questionnaire_version: str,
    urgency: str = Urgency.NORMAL,
    consents: list[ConsentChoice] | None = None,
    entered_by: User | None = None,
    with_receipt: bool = True,
    receipt_secrets: tuple[str, str, bytes] | None = None,
) -> NewCase:
    """Create a case, its sealed keys, its consents and (optionally) a receipt.

    ``receipt_secrets`` lets a caller pass (receipt, lookup_id, wrapping_key)
    derived beforehand, outside the transaction, so the costly stretching
    never holds a database lock.
    """
    today = timezone.localdate()
    data_key = new_data_key()
    case = Case(
        received_on=today,
        last_activity_on=today,
        language=language,
        channel=Channel.ON_BEHALF if entered_by else Channel.WEB,
        urgency=urgency,
        questionnaire_version=questionnaire_version,
        entered_by=entered_by,
    )
    opened = OpenCase(case=case, data_key=data_key)
    case.answers = opened.encrypt_json(answers, "answers")

    receipt = None
    if with_receipt:
        if receipt_secrets is None:
            receipt = generate_receipt()
            derived = derive_receipt_secrets(receipt, salt=RECEIPT_SALT)
            lookup_id, wrapping_key = derived.lookup_id, derived.wrapping_key
        else:
            receipt, lookup_id, wrapping_key = receipt_secrets
        reporter = generate_keypair()
        case.reporter_lookup = lookup_id
        case.reporter_public_key = reporter.public
        case.reporter_private_key = wrap_with_key(
            reporter.private, wrapping_key, context=reporter_context(case)
        )
        case.reporter_sealed_key = seal_data_key(data_key, reporter.public)

    recipients = {user.pk: user for user in desk_recipients()}
    if entered_by is not None and entered_by.has_keys():
        recipients[entered_by.pk] = entered_by
    if not recipients:
        # Still stored (the reporter can read it) but no one at the desk can:
        # the operator must enrol a coordinator. Say so loudly, without content.
        logger.error("case stored with no desk recipient: enrol a coordinator")

    with transaction.atomic():
        case.reference = allocate_reference(today.year)
        case.save()
        CaseKey.objects.bulk_create(
            CaseKey(
                case=case, user=user, sealed_key=seal_data_key(data_key, as_bytes(user.public_key))
            )
            for user in recipients.values()
        )
        Consent.objects.bulk_create(
            Consent(
                case=case,
                scope=choice.scope,
                granted=choice.granted,
                wording_version=choice.wording_version,
                recorded_on=today,
                recorded_by=entered_by,
            )
            for choice in consents or []
        )
        # The reporter is not identified in the trail: actor None keeps the day only.
        record(entered_by, "case_created", target_type="case", target_id=case.public_id)
    return NewCase(case=case, receipt=receipt, opened=opened)


def do_grant_access(granter: User, granter_private_key: bytes, case: Case, grantee: User) -> None:
    """Seal the case key to ``grantee``, using the granter's own copy."""
    if not grantee.has_keys():
        raise CaseError("no_keys")
    opened = open_for_staff(case, granter, granter_private_key)
    with transaction.atomic():
        CaseKey.objects.update_or_create(
            case=case,
            user=grantee,
            defaults={
                "sealed_key": seal_data_key(opened.data_key, as_bytes(grantee.public_key)),
                "granted_by": granter,
            },
        )
        record(
            granter,
            "access_granted",
            target_type="case",
            target_id=case.public_id,
            details={"to": grantee.pk},
        )


def do_revoke_access(actor: User, case: Case, user: User) -> None:
    """Delete ``user``'s sealed copy of the case key."""
    with transaction.atomic():
        CaseKey.objects.filter(case=case, user=user).delete()
        record(
            actor,
            "access_revoked",
            target_type="case",
            target_id=case.public_id,
            details={"from": user.pk},
        )


def do_share_all_cases(granter: User, granter_private_key: bytes, grantee: User) -> int:
    """Grant ``grantee`` every case the granter holds and the grantee lacks
    (e.g. for a newly enrolled coordinator). Returns how many were granted."""
    if not grantee.has_keys():
        raise CaseError("no_keys")
    held = Case.objects.filter(keys__user=granter).exclude(keys__user=grantee)
    count = 0
    for case in held.iterator():
        do_grant_access(granter, granter_private_key, case, grantee)
        count += 1
    return count


def do_add_message(
    opened: OpenCase, *, sender: str, text: str, author: User | None = None
) -> Message:
    case = opened.case
    today = timezone.localdate()
    message = Message(case=case, sender=sender, author=author, sent_on=today)
    message.body = opened.encrypt_text(text, message.aad_field())
    if sender == Sender.DESK:
        message.read_by_desk = True
    else:
        message.read_by_reporter = True
    with transaction.atomic():
        message.save()
        Case.objects.filter(pk=case.pk).update(last_activity_on=today)
        record(
            author,
            "message_sent" if sender == Sender.DESK else "reporter_followup",
            target_type="case",
            target_id=case.public_id,
        )
    return message
