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

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases.models import (
    Case,
    CaseKey,
    CaseLink,
    Channel,
    CodedPerpetrator,
    Coding,
    Consent,
    ConsentScope,
    Message,
    Note,
    ReferenceCounter,
    Sender,
    Stage,
    StageChange,
    Urgency,
)
from amparo.cases.signals import case_activity, statistics_facts_changed
from amparo.cases.vault import (
    NoAccess,
    OpenCase,
    ReceiptKeys,
    ReporterAccess,
    open_for_staff,
    receipt_keys,
    reporter_context,
)
from amparo.cases.workflow import find_transition, meets_requirement
from amparo.consent import rules as consent_rules
from amparo.crypto import (
    current_receipt_set,
    generate_keypair,
    generate_receipt,
    new_data_key,
    seal_data_key,
    wrap_with_key,
)
from amparo.lib.binary import as_bytes
from amparo.reference import api as reference_api

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
) -> NewCase:
    """Create a case, its sealed keys, its consents and (optionally) a receipt.

    ``receipt_secrets`` lets a caller pass (receipt, lookup_id, wrapping_key)
    derived beforehand under the current receipt parameter set, outside the
    transaction, so the costly stretching never holds a database lock.
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
    """Delete ``user``'s sealed copy of the case key.

    Refused with CaseError("last_holder") when nobody else could open the
    case afterwards: a copy that is the last way in is never deleted here.
    """
    from amparo.cases.access import live_keys

    with transaction.atomic():
        if not live_keys().filter(case=case).exclude(user=user).exists():
            raise CaseError("last_holder")
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


def do_destroy_key_copies(actor: User, person: User) -> tuple[int, int]:
    """Delete a removed person's sealed copies of case keys; (destroyed, kept).

    A separate step from removing the person (who already opens nothing), and
    never a side effect: once the copies are gone even their old password and
    recovery key open nothing. A copy is kept when nobody else can open that
    case, since it may be the only one left. Must run inside the caller's
    transaction, after the desk's people are locked.
    """
    from amparo.cases.access import live_keys

    if person.is_active:
        raise CaseError("still_active")
    copies = CaseKey.objects.filter(user=person)
    covered = live_keys().exclude(user=person).values("case")
    destroyed, _ = copies.filter(case__in=covered).delete()
    kept = copies.count()
    record(
        actor,
        "keys_destroyed",
        target_type="user",
        target_id=str(person.pk),
        details={"destroyed": destroyed, "kept": kept},
    )
    return destroyed, kept


# --- The desk's changes -----------------------------------------------------
#
# Every change below takes the version the person's form was rendered from
# and claims the case with one conditional UPDATE, first thing in its
# transaction: if someone changed the case meanwhile, nothing is written and
# CaseError("stale") tells the view to show the case again.

MESSAGE_MAX_CHARS = 20_000
NOTE_MAX_CHARS = 20_000
REASON_MAX_CHARS = 4_000


def _claim(
    case: Case,
    expected_version: int | None,
    *,
    expected_stage: str | None = None,
    **changes: Any,
) -> None:
    """Bump the case's version (refusing a stale ``expected_version``) and apply ``changes``.

    Must run inside the change's transaction. ``expected_version`` None means
    "whatever it is now": only for the reporter's side, which has no form to
    go stale.
    """
    today = timezone.localdate()
    rows = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if expected_stage is not None:
        rows = rows.filter(stage=expected_stage)
    if not rows.update(version=F("version") + 1, last_activity_on=today, **changes):
        raise CaseError("stale")
    case.refresh_from_db(fields=["version", "last_activity_on", *changes])
    if "stage" in changes:
        statistics_facts_changed.send(sender=Case, case=case)


def _check_text(text: str, limit: int) -> str:
    if not text.strip():
        raise CaseError("empty")
    if len(text) > limit:
        raise CaseError("too_long")
    return text


def _after_commit(case: Case, kind: str) -> None:
    transaction.on_commit(lambda: case_activity.send(sender=Case, case=case, kind=kind))


def do_add_message(
    opened: OpenCase,
    *,
    sender: str,
    text: str,
    author: User | None = None,
    expected_version: int | None = None,
) -> Message:
    """Add one message of the conversation; a desk message marks the reporter's as read.

    Any message bumps the case's version, so a desk form opened before the
    reporter wrote is refused as stale and the handler sees the new message
    before acting.
    """
    _check_text(text, MESSAGE_MAX_CHARS)
    case = opened.case
    if sender == Sender.DESK and not consent_rules.allows(case, ConsentScope.CONTACT):
        # Asked at the moment of use: a withdrawal on the follow-up page
        # stops the very next message, and the view says why.
        raise CaseError("no_contact_consent")
    message = Message(case=case, sender=sender, author=author, sent_on=timezone.localdate())
    message.body = opened.encrypt_text(text, message.aad_field())
    if sender == Sender.DESK:
        message.read_by_desk = True
    else:
        message.read_by_reporter = True
    with transaction.atomic():
        _claim(case, expected_version)
        message.save()
        if sender == Sender.DESK:
            # Replying means having read what the reporter wrote.
            Message.objects.filter(case=case, sender=Sender.REPORTER, read_by_desk=False).update(
                read_by_desk=True
            )
        record(
            author,
            "message_sent" if sender == Sender.DESK else "reporter_followup",
            target_type="case",
            target_id=case.public_id,
        )
    return message


def do_mark_read(case: Case) -> int:
    """Mark the reporter's messages as read by the desk; not a change of the case."""
    return Message.objects.filter(case=case, sender=Sender.REPORTER, read_by_desk=False).update(
        read_by_desk=True
    )


def do_add_note(opened: OpenCase, author: User, text: str, *, expected_version: int) -> Note:
    """An internal note: encrypted, never shown to the reporter."""
    _check_text(text, NOTE_MAX_CHARS)
    case = opened.case
    note = Note(case=case, author=author)
    note.body = opened.encrypt_text(text, note.aad_field())
    with transaction.atomic():
        _claim(case, expected_version)
        note.save()
        record(
            author,
            "note_added",
            target_type="case",
            target_id=case.public_id,
            details={"note": note.public_id},
        )
    return note


def do_change_stage(
    opened: OpenCase,
    actor: User,
    to: str,
    *,
    expected_version: int,
    reason: str = "",
    original: Case | None = None,
    yearly_follow_up: bool = False,
) -> StageChange:
    """Move the case along the workflow (see workflow.py for what each move needs).

    ``original`` is the case this one duplicates, already checked by the
    caller to be visible to ``actor``.
    """
    case = opened.case
    from_stage = case.stage
    if case.version != expected_version:
        # Decided on an older page: say so, rather than judging the move
        # against a stage the person did not see.
        raise CaseError("stale")
    transition = find_transition(from_stage, to, is_coordinator=actor.is_coordinator)
    if transition is None:
        raise CaseError("illegal_transition")
    if not meets_requirement(case, transition.requires):
        raise CaseError(f"{transition.requires}_required")
    reason = reason.strip()
    if transition.needs_reason and not reason:
        raise CaseError("reason_required")
    if len(reason) > REASON_MAX_CHARS:
        raise CaseError("too_long")
    changes: dict[str, Any] = {"stage": to}
    if transition.needs_original:
        if original is None:
            raise CaseError("original_required")
        if original.pk == case.pk:
            raise CaseError("original_is_self")
        if original.duplicate_of_id is not None:
            # Point at the first report, so duplicates never form chains or loops.
            raise CaseError("original_is_duplicate")
        changes["duplicate_of"] = original
    elif from_stage == Stage.DUPLICATE:
        changes["duplicate_of"] = None
    if transition.offers_follow_up:
        changes["yearly_follow_up"] = yearly_follow_up
    elif from_stage == Stage.CLOSED:
        changes["yearly_follow_up"] = False

    change = StageChange(case=case, from_stage=from_stage, to_stage=to, actor=actor)
    if reason:
        change.reason = opened.encrypt_text(reason, change.aad_field())
    with transaction.atomic():
        # The stage is part of the claim too: a move decided from another stage is stale.
        _claim(case, expected_version, expected_stage=from_stage, **changes)
        change.save()
        if original is not None:
            CaseLink.objects.update_or_create(
                from_case=case,
                to_case=original,
                defaults={"kind": CaseLink.Kind.DUPLICATE, "created_by": actor},
            )
        elif from_stage == Stage.DUPLICATE:
            # Re-opened: the "duplicate of" link was a mistake, but the cases stay related.
            CaseLink.objects.filter(from_case=case, kind=CaseLink.Kind.DUPLICATE).update(
                kind=CaseLink.Kind.RELATED
            )
        details: dict[str, str | bool] = {"from": from_stage, "to": to}
        if original is not None:
            details["original"] = original.public_id
        if reason:
            details["with_reason"] = True
        record(
            actor, "stage_changed", target_type="case", target_id=case.public_id, details=details
        )
        _after_commit(case, "stage_changed")
    return change


def assignable_handlers() -> list[User]:
    """Everyone a coordinator may assign a case to: active handlers with a key pair."""
    return list(
        User.objects.filter(is_active=True, is_handler=True, public_key__isnull=False).order_by(
            "username"
        )
    )


def do_assign(
    coordinator: User,
    coordinator_private_key: bytes,
    case: Case,
    assignee: User | None,
    *,
    expected_version: int,
) -> list[int]:
    """Give the case to ``assignee`` (None: to no one) and return whose keys were removed.

    The coordinator's own copy of the case key is opened and sealed to the
    new handler; every other non-coordinator copy (the previous handler's,
    or that of whoever entered the case) is deleted in the same transaction,
    so the desk's key holders are always the coordinators plus the assignee.
    """
    if not coordinator.is_coordinator:
        raise CaseError("not_coordinator")
    if assignee is not None and not (
        assignee.is_active and assignee.is_handler and assignee.has_keys()
    ):
        raise CaseError("not_a_handler")
    if assignee is not None and assignee.pk == case.assignee_id:
        raise CaseError("unchanged")
    try:
        opened = open_for_staff(case, coordinator, coordinator_private_key)
    except NoAccess:
        raise CaseError("no_key") from None
    previous = case.assignee_id
    with transaction.atomic():
        _claim(case, expected_version, assignee=assignee)
        if assignee is not None:
            CaseKey.objects.update_or_create(
                case=case,
                user=assignee,
                defaults={
                    "sealed_key": seal_data_key(opened.data_key, as_bytes(assignee.public_key)),
                    "granted_by": coordinator,
                },
            )
        stale_keys = CaseKey.objects.filter(case=case).exclude(user__is_coordinator=True)
        if assignee is not None:
            stale_keys = stale_keys.exclude(user=assignee)
        revoked = sorted(stale_keys.values_list("user_id", flat=True))
        CaseKey.objects.filter(case=case, user_id__in=revoked).delete()
        record(
            coordinator,
            "case_assigned",
            target_type="case",
            target_id=case.public_id,
            details={
                "from": previous,
                "to": assignee.pk if assignee else None,
                "keys_removed": revoked,
            },
        )
        _after_commit(case, "assigned")
    return revoked


def do_link_cases(actor: User, case: Case, other: Case, *, expected_version: int) -> CaseLink:
    """Record that two cases are related; ``other`` must be visible to ``actor``."""
    if other.pk == case.pk:
        raise CaseError("link_self")
    with transaction.atomic():
        _claim(case, expected_version)
        already = CaseLink.objects.filter(from_case=case, to_case=other).exists()
        if already or CaseLink.objects.filter(from_case=other, to_case=case).exists():
            raise CaseError("already_linked")
        link = CaseLink.objects.create(from_case=case, to_case=other, created_by=actor)
        record(
            actor,
            "case_changed",
            target_type="case",
            target_id=case.public_id,
            details={"linked_to": other.public_id},
        )
    return link


@dataclass
class CodingValues:
    """What the coding form produces: reference codes only, never free text."""

    reprisal_types: list[str]
    target: str
    defender_profiles: list[str]
    situation: str
    engagement: list[str]
    country: str
    region: str
    month: Any  # datetime.date (the 1st) or None
    perpetrators: list[tuple[str, str, str]]  # (perpetrator, involvement, confidence)
    # Linked to an Assembly session (reference codes; all three empty when not).
    assembly_session: str = ""
    assembly_timing: str = ""
    assembly_mode: str = ""


CODING_FIELDS = (
    "reprisal_types",
    "target",
    "defender_profiles",
    "situation",
    "engagement",
    "country",
    "region",
    "month",
    "assembly_session",
    "assembly_timing",
    "assembly_mode",
)


# The reference lists a coding draws on; each coding records their versions.
CODED_LISTS = (
    "reprisal_type",
    "target",
    "defender_profile",
    "engagement",
    "perpetrator",
    "involvement",
    "confidence",
)


def _vocabulary_versions() -> dict[str, int]:
    versions = {}
    for code in CODED_LISTS:
        try:
            versions[code] = reference_api.list_version(code)
        except LookupError:
            continue
    return versions


def do_code_case(
    actor: User, case: Case, values: CodingValues, *, expected_version: int | None
) -> Coding:
    """Save the case's coding; ``expected_version`` None means "there was none yet".

    Two handlers editing at once: the second save finds the version moved on
    (or the coding created) and is refused with CaseError("stale_coding").
    """
    fields: dict[str, Any] = {name: getattr(values, name) for name in CODING_FIELDS}
    fields["vocabulary_versions"] = _vocabulary_versions()
    with transaction.atomic():
        current = Coding.objects.filter(case=case).first()
        old_perpetrators: list[tuple[str, str, str]] = []
        if expected_version is None:
            if current is not None:
                raise CaseError("stale_coding")
            try:
                with transaction.atomic():
                    coding = Coding.objects.create(case=case, coded_by=actor, **fields)
            except IntegrityError:
                raise CaseError("stale_coding") from None
            changed = [name for name in CODING_FIELDS if fields[name]]
        else:
            if current is None:
                raise CaseError("stale_coding")
            updated = Coding.objects.filter(pk=current.pk, version=expected_version).update(
                version=F("version") + 1, coded_by=actor, coded_at=timezone.now(), **fields
            )
            if not updated:
                raise CaseError("stale_coding")
            changed = [name for name in CODING_FIELDS if getattr(current, name) != fields[name]]
            old_perpetrators = [
                (p.perpetrator, p.involvement, p.confidence) for p in current.perpetrators.all()
            ]
            coding = Coding.objects.get(pk=current.pk)
        if old_perpetrators != values.perpetrators:
            changed.append("perpetrators")
            coding.perpetrators.all().delete()
            CodedPerpetrator.objects.bulk_create(
                CodedPerpetrator(
                    coding=coding, perpetrator=perpetrator, involvement=involvement, confidence=c
                )
                for perpetrator, involvement, c in values.perpetrators
            )
        statistics_facts_changed.send(sender=Case, case=case)
        record(
            actor,
            "coding_changed",
            target_type="case",
            target_id=case.public_id,
            details={"fields": changed, "version": coding.version},
        )
    return coding


def do_enter_on_behalf(
    handler: User,
    *,
    answers: dict[str, Any],
    language: str,
    questionnaire_version: str,
    urgency: str = Urgency.NORMAL,
    consents: list[ConsentChoice] | None = None,
    with_receipt: bool = False,
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
    )
    _after_commit(created.case, "new_case")
    return created


# --- Reads the trail must show ----------------------------------------------


def audit_case_read(user: User, case: Case) -> None:
    record(user, "case_read", target_type="case", target_id=case.public_id)


def audit_download(user: User, case: Case, attachment_public_id: str, *, inline: bool) -> None:
    record(
        user,
        "file_downloaded",
        target_type="case",
        target_id=case.public_id,
        details={"attachment": attachment_public_id, "inline": inline},
    )


def audit_search(user: User, *, searched: int, found: int) -> None:
    # Never the query: it may be a name or a place, and the trail is in clear.
    record(user, "search", details={"cases_searched": searched, "found": found})
