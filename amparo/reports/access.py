"""Who may see which release or report: analysts and coordinators only.

Handlers and administrators see no statistics unless they also hold one of
those roles. Missing and forbidden answer the same 404.
"""

from __future__ import annotations

from django.http import Http404

from amparo.accounts.models import User
from amparo.reports.models import AnnualReport, Release


def may_see_statistics(user: User) -> bool:
    return bool(user.is_active and (user.is_analyst or user.is_coordinator))


def access_release_by_id(user: User, release_id: int) -> Release:
    if not may_see_statistics(user):
        raise Http404
    release = Release.objects.filter(pk=release_id).first()
    if release is None:
        raise Http404
    return release


def access_report_by_id(user: User, report_id: int) -> AnnualReport:
    if not may_see_statistics(user):
        raise Http404
    report = AnnualReport.objects.select_related("release").filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report
