"""The desk's changes of a case: messages, notes, stage, links.

Each takes the version the person's form was rendered from and claims the
case first thing in its transaction (common.claim); a stale form changes
nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases import hooks, search_index
from amparo.cases.actions.common import CaseError, after_commit, check_text, claim
from amparo.cases.models import Case, CaseLink, Message, Note, Sender, Stage, StageChange
from amparo.cases.vault import OpenCase
from amparo.cases.workflow import find_transition, meets_requirement

MESSAGE_MAX_CHARS = 20_000
NOTE_MAX_CHARS = 20_000
REASON_MAX_CHARS = 4_000


def do_add_message(
    opened: OpenCase,
    *,
    sender: str,
    text: str,
    author: User | None = None,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Message:
    """Add one message of the conversation; a desk message marks the reporter's as read.

    Any message bumps the case's version, so a desk form opened before the
    reporter wrote is refused as stale and the handler sees the new message
    before acting.
    """
    check_text(text, MESSAGE_MAX_CHARS)
    case = opened.case
    if sender == Sender.DESK and not hooks.may_contact(case):
        # Asked at the moment of use: a withdrawal on the follow-up page
        # stops the very next message, and the view says why.
        raise CaseError("no_contact_consent")
    message = Message(
        case=case, sender=sender, author=author, sent_on=today or timezone.localdate()
    )
    message.body = opened.encrypt_text(text, message.aad_field())
    if sender == Sender.DESK:
        message.read_by_desk = True
    else:
        message.read_by_reporter = True
    with transaction.atomic():
        claim(case, expected_version, today=today)
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
        search_index.note_case_text(opened)  # the coordinators' index, after the commit
    return message


def do_mark_read(case: Case) -> int:
    """Mark the reporter's messages as read by the desk; not a change of the case."""
    return Message.objects.filter(case=case, sender=Sender.REPORTER, read_by_desk=False).update(
        read_by_desk=True
    )


def do_add_note(opened: OpenCase, author: User, text: str, *, expected_version: int) -> Note:
    """An internal note: encrypted, never shown to the reporter."""
    check_text(text, NOTE_MAX_CHARS)
    case = opened.case
    note = Note(case=case, author=author)
    note.body = opened.encrypt_text(text, note.aad_field())
    with transaction.atomic():
        claim(case, expected_version)
        note.save()
        record(
            author,
            "note_added",
            target_type="case",
            target_id=case.public_id,
            details={"note": note.public_id},
        )
        search_index.note_case_text(opened)
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
    today: datetime.date | None = None,
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
        claim(case, expected_version, expected_stage=from_stage, today=today, **changes)
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
        after_commit(case, "stage_changed")
    return change


def do_link_cases(actor: User, case: Case, other: Case, *, expected_version: int) -> CaseLink:
    """Record that two cases are related; ``other`` must be visible to ``actor``."""
    if other.pk == case.pk:
        raise CaseError("link_self")
    with transaction.atomic():
        claim(case, expected_version)
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
