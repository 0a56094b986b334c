"""Who may see which assessment or measure: through the case, with the same 404.

Every protection view goes through these. They reuse the case's own helper,
so an assessment or a measure is exactly as visible as its case; anonymous
visitors, analysts, administrators and handlers not in charge of the case
all get the 404 of a case that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from amparo.cases.access import access_case_by_public_id
from amparo.cases.models import Case
from amparo.protection.models import Assessment, Measure


def access_desk_member(user: Any) -> None:
    """Pages that belong to no case (needs attention): handlers and coordinators only."""
    if not user.is_authenticated:
        raise Http404
    if not (user.is_handler or user.is_coordinator):
        raise Http404


def access_protection_case_by_public_id(user: Any, public_id: str) -> Case:
    return access_case_by_public_id(user, public_id)


def access_assessment_by_public_id(
    user: Any, case_public_id: str, assessment_public_id: str
) -> tuple[Case, Assessment]:
    case = access_case_by_public_id(user, case_public_id)
    assessment = Assessment.objects.filter(case=case, public_id=assessment_public_id).first()
    if assessment is None:
        raise Http404
    return case, assessment


def access_measure_by_public_id(
    user: Any, case_public_id: str, measure_public_id: str
) -> tuple[Case, Measure]:
    case = access_case_by_public_id(user, case_public_id)
    measure = Measure.objects.filter(case=case, public_id=measure_public_id).first()
    if measure is None:
        raise Http404
    return case, measure
