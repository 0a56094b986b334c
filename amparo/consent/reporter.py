"""Consent on the reporter's follow-up page (amparo/intake/reporter_sections.py):
a link to their choices, with how many sharing requests wait for an answer, and
what they have chosen, in the questionnaire's words."""

from __future__ import annotations

from typing import Any

from amparo.cases.models import ConsentScope
from amparo.cases.vault import OpenCase
from amparo.consent import rules
from amparo.consent.models import RequestStatus, SharingRequest
from amparo.intake import questionnaire
from amparo.intake.reporter_sections import Section


def choices_link(opened: OpenCase) -> dict[str, Any]:
    open_requests = SharingRequest.objects.filter(case=opened.case, status=RequestStatus.OPEN)
    return {"open_requests": open_requests.count()}


def current_choices(opened: OpenCase) -> dict[str, Any] | None:
    """The current state of each scope the reporter was asked about, or None."""
    case = opened.case
    definition = questionnaire.by_version(case.questionnaire_version)
    labels = {
        choice["scope"]: questionnaire.tr(choice["label"])
        for choice in (definition["consent"]["choices"] if definition else [])
    }
    # Records are append-only: the latest per scope wins.
    consents = [
        (labels.get(row.scope, ConsentScope(row.scope).label), row.granted)
        for row in rules.current(case).scopes
        if row.record is not None
    ]
    return {"consents": consents} if consents else None


SECTIONS = (
    Section("consent_link", "status", "consent/_follow_up_link.html", choices_link),
    Section("consent_current", "report", "consent/_reporter_current.html", current_choices),
)
