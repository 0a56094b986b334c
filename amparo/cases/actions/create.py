"""A new case: its reference, its sealed keys, its consents, its receipt.

Sealing rules: a new case's data key is sealed to every coordinator holding
a key pair, to the staff member who entered it (if any) and to the reporter's
receipt-derived key pair.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases import search_index
from amparo.cases.actions.common import CaseError, after_commit
from amparo.cases.models import Case, CaseKey, Channel, Consent, ReferenceCounter, Urgency
from amparo.cases.vault import OpenCase, ReceiptKeys, ReporterAccess, receipt_keys, reporter_context
from amparo.crypto import (
    current_receipt_set,
    generate_keypair,
    generate_receipt,
    new_data_key,
    seal_data_key,
    wrap_with_key,
)
from amparo.lib.binary import as_bytes

logger = logging.getLogger("amparo.cases")


def allocate_reference(year: int) -> str:
    """The next AMP-<year>-<n> reference; must run inside the creating transaction.

    The counter row is locked, so concurrent submissions get distinct numbers
    and a rolled-back submission gives its number back.
    """
    # One statement (PostgreSQL and SQLite both upsert and return): the row it
    # inserts or increments stays locked until the transaction ends.
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608  no user input
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year],
        )
        (last,) = cursor.fetchone()
    return f"AMP-{year}-{last:04d}"


def desk_recipients() -> list[User]:
    """Whom every new case is sealed to: the active, confirmed coordinators.

    ``is_coordinator`` is set only once a second coordinator has confirmed the
    grant (amparo.accounts.actions.do_confirm_change) or, for the first
    coordinator of an installation, by the operator's invite_staff: an
    administrator alone cannot add a reader of every future case.
    """
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
    today: datetime.date | None = None,
) -> NewCase:
    """Create a case, its sealed keys, its consents and (optionally) a receipt.

    ``receipt_secrets`` lets a caller pass (receipt, lookup_id, wrapping_key)
    derived beforehand under the current receipt parameter set, outside the
    transaction, so the costly stretching never holds a database lock.
    ``today`` is the day it is received (default: the real day).
    """
    today = today or timezone.localdate()
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
            derived = receipt_keys(receipt, current_receipt_set())
            lookup_id, wrapping_key = derived.lookup_id, derived.wrapping_key
        else:
            receipt, lookup_id, wrapping_key = receipt_secrets
        reporter = generate_keypair()
        case.reporter_lookup = lookup_id
        case.receipt_params = current_receipt_set()
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
        search_index.note_case_text(opened)  # the coordinators' index, after the commit
    return NewCase(case=case, receipt=receipt, opened=opened)


def do_upgrade_receipt(access: ReporterAccess, current: ReceiptKeys) -> bool:
    """Re-derive a report found under an older receipt parameter set with the current one.

    ``current`` is the typed receipt already stretched under the current set (the
    follow-up stretched it anyway), so this costs no further Argon2id. The lookup id,
    the wrapped private key and the set id change together, in one transaction, and only
    if the row still holds what the reporter opened (a concurrent follow-up with the
    same receipt may have upgraded it first). True when this call upgraded the row.
    """
    case = access.opened.case
    if access.receipt_set == current.params_set:
        return False
    with transaction.atomic():
        row = Case.objects.select_for_update().filter(pk=case.pk).first()
        if (
            row is None
            or row.receipt_params != access.receipt_set
            or row.reporter_lookup != case.reporter_lookup
        ):
            return False
        row.reporter_lookup = current.lookup_id
        row.reporter_private_key = wrap_with_key(
            access.reporter_private_key, current.wrapping_key, context=reporter_context(row)
        )
        row.receipt_params = current.params_set
        row.save(update_fields=["reporter_lookup", "reporter_private_key", "receipt_params"])
        record(
            None,
            "case_changed",
            target_type="case",
            target_id=row.public_id,
            details={"receipt_params": current.params_set},
        )
    case.reporter_lookup = row.reporter_lookup
    case.reporter_private_key = row.reporter_private_key
    case.receipt_params = row.receipt_params
    access.receipt_set = current.params_set
    return True


def do_enter_on_behalf(
    handler: User,
    *,
    answers: dict[str, Any],
    language: str,
    questionnaire_version: str,
    urgency: str = Urgency.NORMAL,
    consents: list[ConsentChoice] | None = None,
    with_receipt: bool = False,
    today: datetime.date | None = None,
) -> NewCase:
    """A case reported by phone or in person, entered by a handler.

    Sealed to the coordinators and to the handler who entered it. A receipt
    is made only if the person wants to follow up online; the caller shows it
    once and never stores it.
    """
    if not (handler.is_handler or handler.is_coordinator) or not handler.has_keys():
        raise CaseError("not_a_handler")
    # do_create_case stretches the receipt before its own transaction and
    # commits; the signal then goes out at once (or at the outer commit).
    created = do_create_case(
        answers=answers,
        language=language,
        questionnaire_version=questionnaire_version,
        urgency=urgency,
        consents=consents,
        entered_by=handler,
        with_receipt=with_receipt,
        today=today,
    )
    after_commit(created.case, "new_case")
    return created
