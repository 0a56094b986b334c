"""Decrypted, labelled views of assessments and measures, and the case's one timeline."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases.models import Case, Sender
from amparo.cases.vault import OpenCase
from amparo.protection.actions import CAPACITY_LIST, VULNERABILITY_LIST, read_measure
from amparo.protection.levels import Basis, Impact, Level, Likelihood
from amparo.protection.models import Assessment, Measure, MeasureStatus
from amparo.reference import api as reference

SECTION_LABELS = {
    "first": lambda: _("first assessment"),
    "threats": lambda: _("threats"),
    "vulnerabilities": lambda: _("vulnerabilities"),
    "capacities": lambda: _("capacities"),
    "likelihood": lambda: _("likelihood"),
    "impact": lambda: _("impact"),
    "clear_and_present": lambda: _("clear and present danger"),
    "level": lambda: _("level"),
    "review_on": lambda: _("re-assessment date"),
}
RATING_LABELS = {"low": lambda: _("Low"), "medium": lambda: _("Medium"), "high": lambda: _("High")}
AGREEMENT_LABELS = {
    "yes": lambda: _("Yes, the defender agreed"),
    "no": lambda: _("No, the defender did not agree"),
    "not_asked": lambda: _("Not asked yet"),
}


def _checklist(list_code: str, ratings: dict[str, Any]) -> list[dict[str, str]]:
    labels = reference.term_labels(list_code)
    order = [code for code, _l in reference.choices(list_code, include_inactive=True)]
    codes = sorted(ratings, key=lambda c: order.index(c) if c in order else len(order))
    return [
        {
            "label": labels.get(code, code),
            "rating": RATING_LABELS.get(ratings[code].get("rating", ""), lambda: "")(),
            "reason": ratings[code].get("reason", ""),
        }
        for code in codes
    ]


def describe_assessment(opened: OpenCase, assessment: Assessment) -> dict[str, Any]:
    content: dict[str, Any] = opened.decrypt_json(assessment.content, assessment.aad_field())
    perpetrators = reference.term_labels("perpetrator")
    threats = [
        {**threat, "source_type_label": perpetrators.get(threat.get("source_type", ""), "")}
        for threat in content.get("threats", [])
    ]
    return {
        "assessment": assessment,
        "content": content,
        "level_label": Level(assessment.level).label,
        "computed_label": Level(content["computed_level"]).label,
        "basis": content["basis"],
        "basis_label": Basis(content["basis"]).label,
        "likelihood_label": Likelihood(content["likelihood"]).label,
        "impact_label": Impact(content["impact"]).label,
        "threats": threats,
        "vulnerabilities": _checklist(VULNERABILITY_LIST, content.get("vulnerabilities", {})),
        "capacities": _checklist(CAPACITY_LIST, content.get("capacities", {})),
        "changed": [SECTION_LABELS[n]() for n in content.get("changed", []) if n in SECTION_LABELS],
        "overdue": assessment.review_on < timezone.localdate(),
    }


def describe_measure(opened: OpenCase, measure: Measure) -> dict[str, Any]:
    details = read_measure(opened, measure)
    today = timezone.localdate()
    return {
        "measure": measure,
        "kind_label": reference.term_label("protection_measure", measure.kind),
        "details": details,
        "agreed_label": AGREEMENT_LABELS.get(details.get("defender_agreed", ""), lambda: "")(),
        "overdue": measure.is_open and measure.due_on is not None and measure.due_on < today,
    }


def timeline(case: Case, opened: OpenCase) -> list[dict[str, Any]]:
    """Everything that happened to the case, newest first, each with its day.

    Days only: a reporter's messages carry no finer time, and mixing
    precisions would order them wrongly.
    """
    entries: list[tuple[datetime.date, int, dict[str, Any]]] = []

    def add(
        day: datetime.date, order: int, kind: str, text: str, who: Any = None, detail: str = ""
    ) -> None:
        entry = {"day": day, "kind": kind, "text": text, "who": who, "detail": detail}
        entries.append((day, order, entry))

    if case.entered_by:
        add(case.received_on, 0, "received", _("Entered by the desk"), case.entered_by)
    else:
        add(case.received_on, 0, "received", _("Report received"))
    for message in case.messages.select_related("author"):
        if message.sender == Sender.REPORTER:
            add(message.sent_on, message.pk, "message", _("Message from the reporter"))
        else:
            add(
                message.sent_on, message.pk, "message", _("Message to the reporter"), message.author
            )
    for change in case.stage_changes.select_related("actor"):
        text = _("Stage: %(from)s → %(to)s") % {
            "from": change.get_from_stage_display(),
            "to": change.get_to_stage_display(),
        }
        reason = opened.decrypt_text(change.reason, change.aad_field()) if change.reason else ""
        day = timezone.localdate(change.changed_at)
        add(day, change.pk, "stage", text, change.actor, reason)
    for assessment in case.assessments.select_related("assessed_by"):
        text = _("Risk assessed: %(level)s") % {"level": Level(assessment.level).label}
        day = timezone.localdate(assessment.created_at)
        add(day, assessment.pk, "assessment", text, assessment.assessed_by)
    labels = reference.term_labels("protection_measure")
    statuses = dict(MeasureStatus.choices)
    for measure in case.measures.prefetch_related("changes__actor"):
        kind = labels.get(measure.kind, measure.kind)
        for step in measure.changes.all():
            if not step.from_status:
                text = _("Measure proposed: %(kind)s") % {"kind": kind}
            elif step.from_status == step.to_status:
                text = _("Measure updated: %(kind)s") % {"kind": kind}
            else:
                text = _("Measure %(kind)s: %(status)s") % {
                    "kind": kind,
                    "status": statuses[step.to_status],
                }
            note = opened.decrypt_text(step.note, step.aad_field()) if step.note else ""
            add(
                timezone.localdate(step.changed_at),
                step.pk,
                "measure",
                text,
                step.actor,
                note,
            )
    entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
    return [entry for _day, _order, entry in entries]
