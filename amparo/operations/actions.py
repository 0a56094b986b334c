"""Retention and crypto-shredding, and reporters' deletion requests: each change
one transaction, audited.

Shredding a case destroys every sealed copy of its data key (the staff's
``CaseKey`` rows and the reporter's ``reporter_*`` fields), its encrypted
content (answers, messages, notes, stage reasons, attachments and their
files) and every other row that hangs off it, except what the policy keeps:
the coarse coding, when the defender consented to statistics, and the audit
events. Anything encrypted under the case key that a copy still holds
somewhere (a backup, free database pages) can no longer be opened by any key
this installation keeps.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases import search_index
from amparo.cases.files import stored_path
from amparo.cases.models import (
    Attachment,
    Case,
    CaseKey,
    CodedPerpetrator,
    Coding,
    Consent,
    ConsentScope,
    StageChange,
)
from amparo.cases.signals import statistics_facts_changed
from amparo.cases.vault import OpenCase
from amparo.consent.rules import allows
from amparo.operations.models import (
    DEFAULT_RULES,
    MAX_KEEP_DAYS,
    MIN_KEEP_DAYS,
    Basis,
    DeletionRequest,
    RequestStatus,
    RetentionRule,
    Shredding,
    ShredReason,
)

logger = logging.getLogger("amparo.operations")

REASON_MAX_CHARS = 2000


class OperationsError(Exception):
    """A change refused for a reason the person can be told; ``code`` names it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# ---------------------------------------------------------------- the policy


@dataclass(frozen=True)
class Rule:
    stage: str
    keep_days: int
    basis: str
    is_default: bool


def current_rules() -> dict[str, Rule]:
    rows = {row.stage: row for row in RetentionRule.objects.all()}
    rules = {}
    for stage, (days, basis) in DEFAULT_RULES.items():
        row = rows.get(stage)
        rules[stage] = Rule(
            stage=stage,
            keep_days=row.keep_days if row else days,
            basis=basis,
            is_default=row is None,
        )
    return rules


def do_set_retention_rule(actor: User, stage: str, keep_days: int) -> None:
    """An administrator's change to how long one finished stage keeps content."""
    if stage not in DEFAULT_RULES:
        raise OperationsError("unknown_stage")
    if not MIN_KEEP_DAYS <= keep_days <= MAX_KEEP_DAYS:
        raise OperationsError("out_of_range")
    today = timezone.localdate()
    with transaction.atomic():
        before = current_rules()[stage].keep_days
        if before == keep_days:
            return
        RetentionRule.objects.update_or_create(
            stage=stage, defaults={"keep_days": keep_days, "updated_by": actor, "updated_on": today}
        )
        record(
            actor,
            "settings_changed",
            target_type="retention",
            target_id=stage,
            details={"from_days": before, "to_days": keep_days},
        )


@dataclass(frozen=True)
class Due:
    case: Case
    stage: str
    since: datetime.date
    due_on: datetime.date
    reason: str


def _entered_stage_on(case_ids: list[int]) -> dict[tuple[int, str], datetime.date]:
    rows = (
        StageChange.objects.filter(case_id__in=case_ids)
        .values("case_id", "to_stage")
        .annotate(last=Max("changed_at"))
    )
    return {(r["case_id"], r["to_stage"]): timezone.localtime(r["last"]).date() for r in rows}


def due_for_deletion(today: datetime.date | None = None) -> list[Due]:
    """Every case whose content the policy says must go by ``today``, oldest first.

    Cases already shredded are left out, so running retention again changes nothing.
    """
    today = today or timezone.localdate()
    rules = current_rules()
    candidates = list(
        Case.objects.filter(stage__in=list(rules), shredding__isnull=True).order_by("id")
    )
    entered = _entered_stage_on([c.pk for c in candidates])
    due = []
    for case in candidates:
        rule = rules[case.stage]
        if rule.basis == Basis.CLOSING:
            since = entered.get((case.pk, case.stage), case.last_activity_on)
        else:
            since = case.last_activity_on
        due_on = since + datetime.timedelta(days=rule.keep_days)
        if due_on <= today:
            due.append(Due(case, case.stage, since, due_on, ShredReason.POLICY))
    return due


# ---------------------------------------------------------------- shredding


def statistics_allowed(case: Case) -> bool:
    """Whether the defender agrees, today, to be counted in statistics."""
    return bool(allows(case, ConsentScope.STATISTICS))


# What a kept shell keeps: the coding and the consent records it rests on.
_KEPT_WITH_SHELL = {Coding, CodedPerpetrator, Consent, Shredding, DeletionRequest}


def _delete_hanging_rows(case: Case) -> None:
    """Every row of any app that points at the case, but what the shell keeps."""
    for relation in Case._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue
        model = relation.related_model
        if not (isinstance(model, type) and issubclass(model, models.Model)):
            continue
        if model is Case or model in _KEPT_WITH_SHELL:
            continue
        field_name = relation.field.name  # type: ignore[union-attr]
        model._default_manager.filter(**{field_name: case}).delete()


@dataclass(frozen=True)
class ShredResult:
    reference: str
    kept_for_statistics: bool
    files: int


def do_shred_case(
    case: Case,
    *,
    reason: str,
    actor: User | None = None,
    today: datetime.date | None = None,
) -> ShredResult:
    """Destroy a case's keys and content, keeping only what the policy keeps."""
    today = today or timezone.localdate()
    if connection.vendor == "sqlite":
        # Deleted rows are overwritten with zeros instead of lingering in free pages.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if Shredding.objects.filter(case=case).exists():
            raise OperationsError("already_shredded")
        files = [stored_path(a) for a in Attachment.objects.filter(case=case)]
        keep = statistics_allowed(case) and Coding.objects.filter(case=case).exists()
        # Every sealed copy of the data key first: from here on nothing opens the rest.
        CaseKey.objects.filter(case=case).delete()
        Case.objects.filter(pk=case.pk).update(
            reporter_lookup=None,
            reporter_public_key=None,
            reporter_private_key=None,
            reporter_sealed_key=None,
            answers=b"",
        )
        # Consent records are append-only: what they hold encrypted (risk notes)
        # is under the case key and dies with it; in clear they hold only codes.
        DeletionRequest.objects.filter(case=case).update(reason=None)
        Shredding.objects.create(
            case=case if keep else None,
            reference=case.reference,
            stage=case.stage,
            reason=reason,
            shredded_on=today,
            kept_for_statistics=keep,
        )
        _delete_hanging_rows(case)
        search_index.note_removed(case.pk)
        # Its duplicates no longer point at it: nobody can open a shell.
        Case.objects.filter(duplicate_of=case).update(duplicate_of=None)
        if keep:
            # The shell says nothing about who handled it.
            Case.objects.filter(pk=case.pk).update(assignee=None, entered_by=None)
        else:
            DeletionRequest.objects.filter(case=case).update(case=None)
            Case.objects.filter(pk=case.pk).delete()
        # The statistics table keeps a shell's row and loses a deleted case's.
        statistics_facts_changed.send(sender=Case, case=case)
        record(
            actor,
            "content_deleted",
            target_type="case",
            target_id=case.public_id,
            details={
                "reason": reason,
                "stage": case.stage,
                "kept_for_statistics": keep,
                "files": len(files),
            },
        )
        transaction.on_commit(lambda: _remove_files(files))
    return ShredResult(case.reference, keep, len(files))


def _remove_files(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            # The key is gone already; purge_orphan_files removes it on the next run.
            logger.warning("could not remove a shredded case's file; it stays unreadable")


def do_apply_retention(today: datetime.date | None = None) -> list[ShredResult]:
    """Shred every case the policy says is due, one transaction per case."""
    done = []
    for item in due_for_deletion(today):
        try:
            done.append(do_shred_case(item.case, reason=item.reason, today=today))
        except (OperationsError, Case.DoesNotExist):
            continue  # shredded meanwhile by another run or a desk decision
    return done


# ---------------------------------------------------------------- deletion requests


def confirm_days() -> int:
    return int(settings.AMPARO_DELETION_CONFIRM_DAYS)


def pending_request(case: Case) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(case=case, status=RequestStatus.PENDING).first()


def do_request_deletion(opened: OpenCase) -> DeletionRequest:
    """The reporter asks for their report to be deleted (idempotent while pending)."""
    case = opened.case
    today = timezone.localdate()
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        existing = pending_request(case)
        if existing is not None:
            return existing
        request = DeletionRequest.objects.create(
            case=case,
            reference=case.reference,
            requested_on=today,
            due_on=today + datetime.timedelta(days=confirm_days()),
        )
        # The reporter is anonymous: actor None keeps the day only.
        record(None, "deletion_requested", target_type="case", target_id=case.public_id)
    return request


def do_confirm_deletion(actor: User, request: DeletionRequest) -> ShredResult:
    """A coordinator agrees: the case is shredded now."""
    if request.status != RequestStatus.PENDING or request.case is None:
        raise OperationsError("already_decided")
    case = request.case
    today = timezone.localdate()
    with transaction.atomic():
        updated = DeletionRequest.objects.filter(
            pk=request.pk, status=RequestStatus.PENDING
        ).update(status=RequestStatus.CONFIRMED, decided_by=actor, decided_on=today)
        if not updated:
            raise OperationsError("already_decided")
        record(
            actor,
            "deletion_decided",
            target_type="case",
            target_id=case.public_id,
            details={"decision": "confirmed"},
        )
        return do_shred_case(case, reason=ShredReason.REPORTER_REQUEST, actor=actor, today=today)


def do_keep_despite_request(
    actor: User, opened: OpenCase, request: DeletionRequest, reason: str
) -> None:
    """A coordinator records why the team must keep the report; the reason is
    encrypted under the case key."""
    reason = reason.strip()
    if not reason:
        raise OperationsError("reason_required")
    if len(reason) > REASON_MAX_CHARS:
        raise OperationsError("too_long")
    if request.case_id != opened.case.pk:
        raise OperationsError("wrong_case")
    today = timezone.localdate()
    with transaction.atomic():
        ciphertext = opened.encrypt_text(reason, request.aad_field())
        updated = DeletionRequest.objects.filter(
            pk=request.pk, status=RequestStatus.PENDING
        ).update(status=RequestStatus.KEPT, decided_by=actor, decided_on=today, reason=ciphertext)
        if not updated:
            raise OperationsError("already_decided")
        record(
            actor,
            "deletion_decided",
            target_type="case",
            target_id=opened.case.public_id,
            details={"decision": "kept", "with_reason": True},
        )


def overdue_requests(today: datetime.date | None = None) -> models.QuerySet[DeletionRequest]:
    today = today or timezone.localdate()
    return DeletionRequest.objects.filter(status=RequestStatus.PENDING, due_on__lt=today)


def open_requests() -> models.QuerySet[DeletionRequest]:
    return DeletionRequest.objects.filter(status=RequestStatus.PENDING, case__isnull=False)
