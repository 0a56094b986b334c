"""What the reporter's follow-up page shows of the plan: only the measures the
desk chose to show, in plain words, never who carries them out unless the
desk chose that too for that measure."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from amparo.cases.vault import OpenCase
from amparo.intake.reporter_sections import Section
from amparo.protection.actions import read_measure
from amparo.protection.models import Measure, MeasureStatus
from amparo.reference import api as reference

#: Plain words for each status, for someone who may be frightened and reading
#: on a phone: what is happening, not the desk's workflow.
PLAIN_STATUS = {
    MeasureStatus.PROPOSED: _("The desk is looking for this support for you."),
    MeasureStatus.REQUESTED: _(
        "The desk has asked for this support for you and is waiting for an answer."
    ),
    MeasureStatus.IN_PROGRESS: _("This support is under way."),
    MeasureStatus.DONE: _("This support has been provided."),
    MeasureStatus.DECLINED: _("This support could not be arranged."),
    MeasureStatus.FAILED: _("This support could not be arranged."),
}


def shown_measures(opened: OpenCase) -> list[dict[str, Any]]:
    """The measures to show the reporter, oldest first, in plain words."""
    labels = reference.term_labels("protection_measure")
    shown = []
    for measure in Measure.objects.filter(case=opened.case).order_by("id"):
        details = read_measure(opened, measure)
        if not details.get("show_to_reporter"):
            continue
        partner = details.get("partner", "") if details.get("show_partner") else ""
        shown.append(
            {
                "kind": labels.get(measure.kind, ""),
                "status": PLAIN_STATUS[MeasureStatus(measure.status)],
                "partner": partner,
            }
        )
    return shown


SECTION = Section(
    "protection_measures",
    "status",
    "protection/_reporter_measures.html",
    lambda opened: {"measures": shown_measures(opened)},
)
