"""The demo desk's annual report for ``manage.py seed_demo``: prepared, not approved.

The demo analyst prepares a report for the default period (through the real
action), so that a newcomer signed in as the demo coordinator can approve
it, and can prepare another as the analyst: the coordinator may approve any
report but one they prepared themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from amparo.accounts.models import User
from amparo.reports.actions import default_period, do_prepare_report
from amparo.reports.models import AnnualReport, ReportState


def ensure_demo_report(analyst: User) -> AnnualReport:
    """The draft report of the default period, prepared by ``analyst`` if there is none."""
    start, end = default_period(timezone.localdate(), settings.AMPARO_REPORT_YEAR_STARTS)
    existing = AnnualReport.objects.filter(
        period_start=start, period_end=end, state=ReportState.DRAFT
    ).first()
    return existing or do_prepare_report(analyst, start, end)
