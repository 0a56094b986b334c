"""Intake's state changes: a new report with its files, a reporter's message,
a new questionnaire version, the desk's texts. Each is one transaction,
audited; files written before a failure are removed again.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases.actions.create import ConsentChoice, NewCase, do_create_case
from amparo.cases.actions.desk import do_add_message
from amparo.cases.files import discard, store_attachment
from amparo.cases.models import Attachment, Case, Message, Sender, Urgency
from amparo.cases.signals import case_activity
from amparo.cases.vault import OpenCase
from amparo.intake.models import DeskText, EmergencyContact, Questionnaire, UsedFormToken
from amparo.lib import process_cache


class IntakeError(Exception):
    """A change refused for a reason the person can be told; ``code`` names it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class PreparedFile:
    """A checked, cleaned file ready to be encrypted into the case."""

    name: str
    content_type: str
    scrubbed: bool  # embedded metadata was removed
    open: Callable[[], BinaryIO] = field(repr=False)


def token_hash(nonce: str) -> str:
    return hashlib.sha256(f"amparo-form-token:{nonce}".encode()).hexdigest()


def _claim_token(nonce: str, today: datetime.date, keep_days: int) -> None:
    """Mark a form token as used, inside the caller's transaction.

    The unique index decides between two racing copies of the same form:
    the loser waits for the winner's commit, then fails here.
    """
    UsedFormToken.objects.filter(used_on__lt=today - datetime.timedelta(days=keep_days)).delete()
    try:
        with transaction.atomic():
            UsedFormToken.objects.create(token_hash=token_hash(nonce), used_on=today)
    except IntegrityError:
        raise IntakeError("replayed") from None


def token_used(nonce: str) -> bool:
    return UsedFormToken.objects.filter(token_hash=token_hash(nonce)).exists()


def _store_files(
    opened: OpenCase, files: list[PreparedFile], stored: list[Attachment], message: Message | None
) -> None:
    for prepared in files:
        with prepared.open() as source:
            stored.append(
                store_attachment(
                    opened,
                    source,
                    name=prepared.name,
                    content_type=prepared.content_type,
                    scrubbed=prepared.scrubbed,
                    message=message,
                )
            )
    Attachment.objects.bulk_create(stored)


def do_submit_report(
    *,
    answers: dict[str, Any],
    language: str,
    questionnaire_version: str,
    urgent: bool,
    consents: list[tuple[str, bool, str]],
    files: list[PreparedFile],
    receipt_secrets: tuple[str, str, bytes],
    form_nonce: str,
    token_days: int = 2,
) -> NewCase:
    """Create the case, its consents and its attachments, all or nothing.

    ``receipt_secrets`` must be derived beforehand (outside any transaction:
    stretching must not hold database locks). Raises IntakeError("replayed")
    when a report was already made from this form.
    """
    today = timezone.localdate()
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            _claim_token(form_nonce, today, token_days)
            new = do_create_case(
                answers=answers,
                language=language,
                questionnaire_version=questionnaire_version,
                urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
                consents=[
                    ConsentChoice(scope, granted, wording) for scope, granted, wording in consents
                ],
                receipt_secrets=receipt_secrets,
            )
            _store_files(new.opened, files, stored, message=None)
            record(
                None,
                "report_submitted",
                target_type="case",
                target_id=new.case.public_id,
                details={"attachments": len(stored), "questionnaire": questionnaire_version},
            )
            case = new.case
            transaction.on_commit(
                lambda: case_activity.send(sender=None, case=case, kind="new_case")
            )
    except BaseException:
        # The rows rolled back; their encrypted files must go too.
        discard(stored)
        raise
    return new


def do_reporter_message(opened: OpenCase, *, text: str, files: list[PreparedFile]) -> Message:
    """The reporter's message and its files, in one transaction."""
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            message = do_add_message(opened, sender=Sender.REPORTER, text=text)
            _store_files(opened, files, stored, message=message)
            case = opened.case
            transaction.on_commit(
                lambda: case_activity.send(sender=None, case=case, kind="reporter_message")
            )
    except BaseException:
        discard(stored)
        raise
    return message


def do_complete_report(opened: OpenCase, answers: dict[str, Any]) -> None:
    """The full form, answered later by someone who first sent the short urgent
    form: the new answers join the old ones (what was said in danger stays)."""
    case = opened.case
    with transaction.atomic():
        merged = {**opened.answers(), **answers}
        # The version moves on, as with a message, so that a desk form opened
        # before this is refused as stale rather than overwriting it.
        Case.objects.filter(pk=case.pk).update(
            answers=opened.encrypt_json(merged, "answers"),
            version=F("version") + 1,
            last_activity_on=timezone.localdate(),
        )
        case.refresh_from_db(fields=["answers", "version", "last_activity_on"])
        record(
            None,
            "case_changed",
            target_type="case",
            target_id=case.public_id,
            details={"by": "reporter", "fields": ["answers"]},
        )
        transaction.on_commit(
            lambda: case_activity.send(sender=None, case=case, kind="reporter_message")
        )


def do_mark_read_by_reporter(opened: OpenCase) -> int:
    """Mark the desk's messages as seen by the reporter; returns how many changed."""
    return Message.objects.filter(
        case=opened.case, sender=Sender.DESK, read_by_reporter=False
    ).update(read_by_reporter=True)


def do_add_questionnaire(
    actor: User, definition: dict[str, Any], *, make_current: bool
) -> Questionnaire:
    """Save a new, already validated questionnaire version."""
    with transaction.atomic():
        if make_current:
            Questionnaire.objects.filter(is_current=True).update(is_current=False)
        row = Questionnaire.objects.create(
            version=definition["version"],
            definition=definition,
            is_current=make_current,
            created_by=actor,
        )
        record(
            actor,
            "settings_changed",
            target_type="questionnaire",
            target_id=row.version,
            details={"change": "added", "current": make_current},
        )
    process_cache.invalidate()  # update() sends no signal
    return row


def do_make_current(actor: User, row: Questionnaire) -> None:
    with transaction.atomic():
        Questionnaire.objects.filter(is_current=True).exclude(pk=row.pk).update(is_current=False)
        Questionnaire.objects.filter(pk=row.pk).update(is_current=True)
        record(
            actor,
            "settings_changed",
            target_type="questionnaire",
            target_id=row.version,
            details={"change": "made_current"},
        )
    process_cache.invalidate()  # update() sends no signal


def do_set_desk_texts(actor: User, texts: dict[tuple[str, str], str]) -> list[str]:
    """Save the desk's texts, keyed by (key, language); returns what changed."""
    current = {(t.key, t.language): t for t in DeskText.objects.all()}
    changed = []
    with transaction.atomic():
        for (key, language), text in texts.items():
            row = current.get((key, language))
            if (row.text if row else "") == text:
                continue
            DeskText.objects.update_or_create(
                key=key, language=language, defaults={"text": text, "updated_by": actor}
            )
            changed.append(f"{key}/{language}")
        if changed:
            record(
                actor,
                "settings_changed",
                target_type="desk_texts",
                details={"changed": changed},
            )
    return changed


def audit_reporter_visit(opened: OpenCase) -> None:
    """The reporter came back with their code: a read of the case, kept to the day."""
    record(
        None,
        "case_read",
        target_type="case",
        target_id=opened.case.public_id,
        details={"by": "reporter"},
    )


def audit_reporter_download(opened: OpenCase, attachment: Attachment) -> None:
    """The reporter downloaded one of their report's files (no identity, the day only)."""
    record(
        None,
        "file_downloaded",
        target_type="case",
        target_id=opened.case.public_id,
        details={"by": "reporter", "attachment": attachment.public_id},
    )


EMERGENCY_CONTACT_FIELDS = (
    "name",
    "phone",
    "details",
    "countries",
    "profiles",
    "position",
    "active",
)


def do_save_emergency_contact(
    actor: User, contact: EmergencyContact | None, values: dict[str, Any]
) -> EmergencyContact:
    """Add or change an emergency contact; audited with the fields changed."""
    with transaction.atomic():
        if contact is None:
            contact = EmergencyContact.objects.create(
                **{name: values[name] for name in EMERGENCY_CONTACT_FIELDS}
            )
            changed = list(EMERGENCY_CONTACT_FIELDS)
        else:
            changed = [n for n in EMERGENCY_CONTACT_FIELDS if getattr(contact, n) != values[n]]
            for name in changed:
                setattr(contact, name, values[name])
            if changed:
                contact.save(update_fields=[*changed, "updated_at"])
        if changed:
            record(
                actor,
                "settings_changed",
                target_type="emergency_contact",
                target_id=str(contact.pk),
                details={"fields": changed},
            )
    return contact
