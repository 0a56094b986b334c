"""Helpers for the protection tests: assessments and measures through the real actions."""

from __future__ import annotations

from amparo.accounts.models import User
from amparo.cases.actions.desk import do_change_stage
from amparo.cases.models import Case
from amparo.cases.tests.base import DeskTestCase
from amparo.cases.vault import OpenCase, open_for_staff
from amparo.protection.actions import (
    AssessmentValues,
    MeasureValues,
    Rating,
    Threat,
    current_assessment,
    do_add_measure,
    do_assess,
)
from amparo.protection.models import Assessment, Measure
from amparo.tests.base import Persona


def values(
    *,
    likelihood: int = 3,
    impact: int = 3,
    facts: str = "A car followed her from the airport.",
    **kwargs: object,
) -> AssessmentValues:
    return AssessmentValues(
        threats=[Threat(facts=facts, source_type="unknown", conclusion="Serious.")],
        likelihood=likelihood,
        impact=impact,
        vulnerabilities={"location.routines": Rating("high", "Same route every day.")},
        capacities={"networks.quick_response": Rating("medium", "A coalition nearby.")},
        **kwargs,  # type: ignore[arg-type]
    )


def assess(opened: OpenCase, actor: User, **kwargs: object) -> Assessment:
    current = current_assessment(opened.case)
    return do_assess(
        opened, actor, values(**kwargs), expected_number=current.number if current else 0
    )


def add_measure(
    opened: OpenCase, actor: User, kind: str = "legal_aid", **kwargs: object
) -> Measure:
    return do_add_measure(opened, actor, MeasureValues(kind=kind, **kwargs))  # type: ignore[arg-type]


class ProtectionTestCase(DeskTestCase):
    def open(self, case: Case, persona: Persona | None = None) -> OpenCase:
        persona = persona or self.coordinator
        case.refresh_from_db()
        return open_for_staff(case, persona.user, persona.private_key())

    def move(self, opened: OpenCase, persona: Persona, *stages: str) -> None:
        for stage in stages:
            opened.case.refresh_from_db()
            do_change_stage(opened, persona.user, stage, expected_version=opened.case.version)
