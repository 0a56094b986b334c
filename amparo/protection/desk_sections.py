"""Protection's sections of the desk's case page (amparo/cases/page_sections.py):
the risk and the plan after the internal notes, and the timeline last."""

from __future__ import annotations

from typing import Any

from amparo.cases.page_sections import Section
from amparo.cases.vault import OpenCase
from amparo.protection import display
from amparo.protection.views import case_sections


def risk_and_plan(opened: OpenCase) -> dict[str, Any]:
    return case_sections(opened.case, opened)


def timeline(opened: OpenCase) -> dict[str, Any]:
    """One timeline of everything: messages, stage changes, assessments, measures."""
    return {"case": opened.case, "timeline": display.timeline(opened.case, opened)}


SECTIONS = (
    Section("protection", "notes", "protection/_case_sections.html", risk_and_plan),
    Section("timeline", "end", "protection/_timeline.html", timeline),
)
