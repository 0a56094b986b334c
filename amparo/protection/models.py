"""Risk assessments, protection measures and the bookkeeping of reminders.

Everything a person wrote (threat facts, reasons, outcomes, the checklist
with its ratings) is one encrypted JSON document under the case's data key,
as notes are. What stays in clear, and why, is listed in
docs/threat-model.md ("Protection data in clear"): an assessment's level and
re-assessment date, a measure's kind, status, owner and dates. None of it
names a person, place or organisation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import Case, new_public_id
from amparo.protection.levels import Level


class Assessment(models.Model):
    """One risk assessment of a case. Every one is kept; the current one is the latest."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    #: 1, 2, 3… within the case: the order of the history.
    number = models.PositiveIntegerField()
    # In clear: the inbox and the needs-attention page sort and select by them.
    level = models.CharField(max_length=8, choices=Level.choices)
    review_on = models.DateField()
    is_current = models.BooleanField(default=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Encrypted JSON, field "assessment/<public_id>": threats, checklist,
    # likelihood, impact, computed level, basis, reasons (see actions.py).
    content = models.BinaryField()

    class Meta:
        ordering = ["case_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="assessment_number_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(is_current=True), name="one_current_assessment"
            ),
            models.CheckConstraint(
                condition=Q(level__in=[choice.value for choice in Level]),
                name="assessment_level_known",
            ),
        ]
        indexes = [models.Index(fields=["is_current", "review_on"])]

    def __str__(self) -> str:
        return f"assessment {self.number} of {self.case_id}"

    def aad_field(self) -> str:
        return f"assessment/{self.public_id}"


class MeasureStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    REQUESTED = "requested", _("Requested")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")
    FAILED = "failed", _("Failed")


#: Statuses in which a measure is still open (and may fall past due).
OPEN_STATUSES = frozenset(
    {MeasureStatus.PROPOSED, MeasureStatus.REQUESTED, MeasureStatus.IN_PROGRESS}
)
#: proposed → requested → in progress → done / declined / failed. Steps may be
#: skipped forward (a measure the desk carries out itself is never "requested");
#: a finished measure is final: propose a new one instead.
STATUS_MOVES: dict[str, frozenset[str]] = {
    MeasureStatus.PROPOSED: frozenset(
        {
            MeasureStatus.REQUESTED,
            MeasureStatus.IN_PROGRESS,
            MeasureStatus.DONE,
            MeasureStatus.DECLINED,
        }
    ),
    MeasureStatus.REQUESTED: frozenset(
        {
            MeasureStatus.IN_PROGRESS,
            MeasureStatus.DONE,
            MeasureStatus.DECLINED,
            MeasureStatus.FAILED,
        }
    ),
    MeasureStatus.IN_PROGRESS: frozenset({MeasureStatus.DONE, MeasureStatus.FAILED}),
    MeasureStatus.DONE: frozenset(),
    MeasureStatus.DECLINED: frozenset(),
    MeasureStatus.FAILED: frozenset(),
}


class Measure(models.Model):
    """One protection measure of a case's plan.

    ``kind`` is a code of the reference list "protection_measure" and
    ``status`` one of MeasureStatus: both clear codes, counted by the
    statistics. A measure carried out outside the desk may be linked to a
    referral (amparo.referrals) but works without one.
    """

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(max_length=100)
    status = models.CharField(
        max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PROPOSED
    )
    # The person on the desk who sees it through.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="protection_measures",
    )
    proposed_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    # The day it reached done, declined or failed.
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Encrypted JSON, field "measure/<public_id>": description, outcome,
    # whether the defender agreed, and what the reporter is shown.
    details = models.BinaryField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["case_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[choice.value for choice in MeasureStatus]),
                name="measure_status_known",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(status__in=[MeasureStatus.DONE, MeasureStatus.DECLINED, MeasureStatus.FAILED]),
                name="measure_ended_only_when_finished",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"measure {self.public_id}"

    def aad_field(self) -> str:
        return f"measure/{self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class MeasureChange(models.Model):
    """The history of a measure: creation, each change of status or details."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=12, choices=MeasureStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=MeasureStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    # Encrypted, field "measure-change/<public_id>"; may be empty.
    note = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"

    def aad_field(self) -> str:
        return f"measure-change/{self.public_id}"


class UrgentWatch(models.Model):
    """An urgent case waiting to be acknowledged.

    ``escalate_at`` is the one exact time kept about a report, and only while
    it waits: the row goes when the case is acknowledged, and the time is
    cleared (leaving the day) once the escalation is sent. docs/threat-model.md
    says why.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="urgent_watch")
    escalate_at = models.DateTimeField(null=True, blank=True)
    escalated_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(escalate_at__isnull=False) | Q(escalated_on__isnull=False),
                name="urgent_watch_due_or_escalated",
            )
        ]

    def __str__(self) -> str:
        return f"urgent watch of {self.case_id}"


class DigestSent(models.Model):
    """That a person's daily digest went into the outbox on a day: sent once a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"digest {self.user_id} {self.day}"
