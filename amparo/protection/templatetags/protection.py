from typing import Any

from django import template

from amparo.protection import display
from amparo.protection.views import case_sections

register = template.Library()


@register.inclusion_tag("protection/_case_sections.html")
def protection_sections(case: Any, opened: Any) -> dict[str, Any]:
    """The risk, plan and timeline sections of the case page."""
    return case_sections(case, opened)


@register.inclusion_tag("protection/_timeline.html")
def protection_timeline(case: Any, opened: Any) -> dict[str, Any]:
    """One timeline of everything: messages, stage changes, assessments, measures."""
    return {"case": case, "timeline": display.timeline(case, opened)}
