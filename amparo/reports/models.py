"""Releases of statistics and the annual report.

Everything here is aggregate and meant to leave the desk: counts after
disclosure control, the narrative written for publication, who prepared and
approved. No case content and no case identifier is stored, so these rows
are kept in clear (docs/statistics.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NARRATIVE_SECTIONS = ("summary", "context", "measures")


class ReleaseKind(models.TextChoices):
    STATISTICS = "statistics", _("Statistics")
    ANNUAL = "annual", _("Annual report")
    SESSION = "session", _("Assembly session report")


class Release(models.Model):
    """One set of figures that left the desk: what, for which period, when, by whom.

    ``cells`` maps every cell id of the release to its published value, or to
    None when it was suppressed; with ``spec`` it is what the next release
    overlapping this period is audited against.
    """

    kind = models.CharField(max_length=16, choices=ReleaseKind.choices)
    spec = models.JSONField()
    period_start = models.DateField()
    period_end = models.DateField()
    threshold = models.PositiveSmallIntegerField()
    cells = models.JSONField()
    # Audit result: quantity -> [low, high] (high None when unbounded).
    bounds = models.JSONField(default=dict)
    earlier = models.JSONField(default=list)  # ids of the releases audited with this one
    cases = models.PositiveIntegerField()
    countries = models.PositiveIntegerField()
    situations = models.PositiveIntegerField()
    without_consent = models.PositiveIntegerField()
    withheld = models.BooleanField(default=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField()

    class Meta:
        ordering = ["-released_at", "-id"]
        indexes = [models.Index(fields=["period_start", "period_end"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="release_period_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(threshold__gte=3), name="release_k_at_least_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start}..{self.period_end}"


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class AnnualReport(models.Model):
    """The annual report: prepared by an analyst or coordinator, approved by
    another coordinator, exported only once approved (and then from the frozen
    release, so every output shows the same figures)."""

    period_start = models.DateField()
    period_end = models.DateField()
    state = models.CharField(max_length=16, choices=ReportState.choices, default=ReportState.DRAFT)
    coarsen_places = models.BooleanField(default=False)
    coarsen_time = models.BooleanField(default=False)
    # {"en": {"summary": "...", ...}, ...}; a language missing here is "not provided".
    narrative = models.JSONField(default=dict)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    release = models.OneToOneField(
        Release, null=True, blank=True, on_delete=models.PROTECT, related_name="annual_report"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="report_period_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(state="draft") | models.Q(release__isnull=False),
                name="approved_report_has_release",
            ),
        ]

    def __str__(self) -> str:
        return f"annual report {self.period_start}..{self.period_end}"

    def provided(self, language: str) -> bool:
        sections = self.narrative.get(language) or {}
        return any(sections.get(name) for name in NARRATIVE_SECTIONS)


class CountedCase(models.Model):
    """One narrow row per coded case: what statistics count, in plain columns.

    A denormalised copy of the case's coding, stage and latest statistics
    consent record (``amparo/reports/counted.py`` keeps it in step, from the
    desk's own actions, and rebuilds it from the source). It holds nothing
    the coding does not already keep in clear: codes from the reference
    vocabularies, a country, a region, the day received and the month. A
    multi-valued field is its codes sorted and joined with commas.
    """

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    received_on = models.DateField()
    month = models.DateField()  # the 1st of the month received
    # The stage is neither "not a reprisal" nor "duplicate".
    countable = models.BooleanField()
    # The latest statistics consent record: granted or not, the day it was
    # recorded (None when there is none) and until when a grant holds.
    consent_granted = models.BooleanField(default=False)
    consent_since = models.DateField(null=True)
    consent_until = models.DateField(null=True)
    reprisal_types = models.TextField(blank=True)
    engagement = models.TextField(blank=True)
    profiles = models.TextField(blank=True)
    perpetrators = models.TextField(blank=True)
    situation = models.CharField(max_length=64, blank=True)
    country = models.CharField(max_length=2, blank=True)
    region = models.CharField(max_length=8, blank=True)
    assembly_session = models.CharField(max_length=20, blank=True)
    assembly_timing = models.CharField(max_length=8, blank=True)
    assembly_mode = models.CharField(max_length=12, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["received_on"], name="counted_received_on"),
            # The rows whose latest consent record is after the day asked
            # about (counting.grouped reads the records for them): few or none.
            models.Index(fields=["consent_since"], name="counted_consent_since"),
        ]

    def __str__(self) -> str:
        return f"counted case {self.case_id}"
