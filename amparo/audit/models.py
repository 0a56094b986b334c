"""The audit log: one hash chain of events, written only through ``amparo.audit.log``.

Rows are never updated or deleted. The ORM refuses it here; triggers added by
migration 0002 refuse it in the database too, so a stray raw query cannot
quietly rewrite history either. Neither stops someone who owns the database:
the HMAC chain (see ``log.py``) is what makes their tampering detectable.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

ZERO_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


class Action(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGOUT = "logout", _("Signed out")
    ENROLLED = "enrolled", _("Enrolled")
    INVITATION_CREATED = "invitation_created", _("Invitation created")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    RECOVERY_USED = "recovery_used", _("Recovery key used")
    CASE_CREATED = "case_created", _("Case created")
    CASE_READ = "case_read", _("Case read")
    CASE_CHANGED = "case_changed", _("Case changed")
    STAGE_CHANGED = "stage_changed", _("Stage changed")
    CASE_ASSIGNED = "case_assigned", _("Case assigned")
    ACCESS_GRANTED = "access_granted", _("Access granted")
    ACCESS_REVOKED = "access_revoked", _("Access revoked")
    MESSAGE_SENT = "message_sent", _("Message sent")
    NOTE_ADDED = "note_added", _("Note added")
    CODING_CHANGED = "coding_changed", _("Coding changed")
    FILE_DOWNLOADED = "file_downloaded", _("File downloaded")
    SEARCH = "search", _("Search")
    EXPORT = "export", _("Export")
    REFERRAL = "referral", _("Referral")
    CONSENT_CHANGED = "consent_changed", _("Consent recorded")
    SHARING_REQUEST = "sharing_request", _("Sharing request")
    PARTNER_CHANGED = "partner_changed", _("Partner changed")
    REFERENCE_CHANGED = "reference_changed", _("Reference data changed")
    REPORT_SUBMITTED = "report_submitted", _("Report submitted")
    REPORTER_FOLLOWUP = "reporter_followup", _("Reporter follow-up")
    SETTINGS_CHANGED = "settings_changed", _("Settings changed")
    STATISTICS_VIEWED = "statistics_viewed", _("Statistics viewed")
    STATISTICS_RELEASED = "statistics_released", _("Statistics released")
    REPORT_PREPARED = "report_prepared", _("Report prepared")
    REPORT_APPROVED = "report_approved", _("Report approved")
    STATISTICS_REBUILT = "statistics_rebuilt", _("Statistics table rebuilt")
    BACKUP_MADE = "backup_made", _("Backup made")
    BACKUP_RESTORED = "backup_restored", _("Backup restored")
    CONTENT_DELETED = "content_deleted", _("Case content deleted")
    DELETION_REQUESTED = "deletion_requested", _("Deletion requested")
    DELETION_DECIDED = "deletion_decided", _("Deletion request decided")
    RISK_ASSESSED = "risk_assessed", _("Risk assessed")
    MEASURE_ADDED = "measure_added", _("Protection measure added")
    MEASURE_CHANGED = "measure_changed", _("Protection measure changed")
    URGENT_ESCALATED = "urgent_escalated", _("Urgent case escalated")
    ROLES_CHANGED = "roles_changed", _("Roles changed")
    CHANGE_REQUESTED = "change_requested", _("Change requested")
    CHANGE_CONFIRMED = "change_confirmed", _("Change confirmed")
    CHANGE_CANCELLED = "change_cancelled", _("Change cancelled")
    KEYS_DESTROYED = "keys_destroyed", _("Key copies destroyed")
    LOGIN_THROTTLED = "login_throttled", _("Sign-ins held back")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    # Bulk writes bypass save() and the chain; only log.record() may insert.
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be updated")

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[AuditEvent]:
        raise AppendOnlyError("audit events are appended one by one by amparo.audit.log.record")


AuditEventManager = models.Manager.from_queryset(AuditEventQuerySet)


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("time"))
    # A plain number, not a foreign key: deleting an account must never
    # cascade into, or null out, the history of what that account did.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    target_type = models.CharField(_("target type"), max_length=32, blank=True)
    target_id = models.CharField(_("target"), max_length=100, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditEventManager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_seq_from_one"),
        ]
        indexes = [
            models.Index(fields=["action", "seq"], name="audit_action_idx"),
            models.Index(fields=["actor_name", "seq"], name="audit_actor_idx"),
            models.Index(fields=["target_type", "target_id", "seq"], name="audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be updated")
        # Only record() may insert: it alone holds the chain's lock and
        # computes the hash, so any other insert would fork or break the chain.
        if not getattr(self, "_appended_by_record", False):
            raise AppendOnlyError("append audit events with amparo.audit.log.record()")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")

    @property
    def anonymous(self) -> bool:
        """True for a reporter's event: no identity, and a time kept to the day."""
        return self.actor_id is None

    def detail_pairs(self) -> list[tuple[str, str]]:
        """The details as (key, text) pairs, sorted, for display."""
        pairs = []
        for key, value in sorted(self.details.items()):
            items = value if isinstance(value, list) else [value]
            pairs.append((key, ", ".join("" if item is None else str(item) for item in items)))
        return pairs


class AuditHead(models.Model):
    """The chain's last number and hash: one row, locked by every append.

    Locking this row is what serialises concurrent appends on PostgreSQL, so
    two transactions can never both extend the chain from the same event.
    It also lets the verifier notice events removed from the end.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=ZERO_HASH)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single_row"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"
