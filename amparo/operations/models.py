"""Retention rules, the record of each shredding, and reporters' deletion requests.

Nothing here holds case content: the only ciphertext is a coordinator's
reason for keeping a report, under the case's own key, so it dies with the
case's key when the case is shredded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import Case, Stage


class RetentionStage(models.TextChoices):
    """The finished stages a retention rule applies to."""

    NOT_A_REPRISAL = Stage.NOT_A_REPRISAL.value, _("Not a reprisal")
    DUPLICATE = Stage.DUPLICATE.value, _("Duplicate")
    CLOSED = Stage.CLOSED.value, _("Closed")


class Basis(models.TextChoices):
    CLOSING = "closing", _("days after the case reached this stage")
    LAST_ACTIVITY = "last_activity", _("days after the case's last activity")


# The safe defaults, used until an administrator changes a rule (docs/operations.md).
DEFAULT_RULES: dict[str, tuple[int, str]] = {
    RetentionStage.NOT_A_REPRISAL: (90, Basis.CLOSING),
    RetentionStage.DUPLICATE: (90, Basis.CLOSING),
    RetentionStage.CLOSED: (5 * 365, Basis.LAST_ACTIVITY),
}
MIN_KEEP_DAYS = 30
MAX_KEEP_DAYS = 50 * 365


class RetentionRule(models.Model):
    """How long a case's content is kept once it reaches a finished stage."""

    stage = models.CharField(max_length=24, choices=RetentionStage.choices, unique=True)
    keep_days = models.PositiveIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_on = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(keep_days__gte=MIN_KEEP_DAYS, keep_days__lte=MAX_KEEP_DAYS),
                name="retention_keep_days_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage}: {self.keep_days} days"


class ShredReason(models.TextChoices):
    POLICY = "policy", _("Retention rule")
    REPORTER_REQUEST = "reporter_request", _("The reporter asked for deletion")


class Shredding(models.Model):
    """That a case's content was destroyed, when and why. The case row itself
    survives only as a shell when its coding is kept for statistics."""

    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="shredding"
    )
    reference = models.CharField(max_length=20, unique=True)
    stage = models.CharField(max_length=24, choices=Stage.choices)
    reason = models.CharField(max_length=24, choices=ShredReason.choices)
    shredded_on = models.DateField()
    kept_for_statistics = models.BooleanField(default=False)

    class Meta:
        ordering = ["-shredded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} shredded on {self.shredded_on}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the team")
    CONFIRMED = "confirmed", _("Deleted")
    KEPT = "kept", _("Kept by the team")


class DeletionRequest(models.Model):
    """A reporter's request, from the follow-up page, that their report be deleted."""

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="deletion_requests"
    )
    reference = models.CharField(max_length=20)
    requested_on = models.DateField()  # day only, like every reporter time
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    # Why the team must keep it: encrypted under the case key, field "deletion/<id>".
    reason = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="one_pending_deletion_request_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"deletion request {self.pk} ({self.status})"

    def aad_field(self) -> str:
        return f"deletion/{self.pk}"
