"""Parts of the reporter's follow-up page that the apps above intake add.

The page (intake/views/reporter.py, intake/case.html) belongs to intake; what
the desk plans for the reporter's protection (protection), the reporter's
consent choices (consent) and the way to ask for deletion (operations) belong
to apps above it. Each registers its section when Django starts, so intake
shows them without importing those apps (amparo/tests/test_app_layers.py).
The mechanism is amparo/cases/sections.py, shared with the desk's case page
(amparo/cases/page_sections.py).
"""

from __future__ import annotations

from amparo.cases.sections import Section, SectionRegistry

__all__ = ["PLACES", "Section", "register", "rendered", "sections"]

#: Where a section goes: after "Where it stands", inside "What you sent", or last.
PLACES = ("status", "report", "end")

_page = SectionRegistry("reporter page", PLACES)
register = _page.register
sections = _page.sections
rendered = _page.rendered
