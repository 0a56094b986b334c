"""Parts of the desk's case page that the apps above cases add.

The page (cases/views/case.py, cases/detail.html) belongs to cases; the
consent records and the notice that the team may not write (consent), the
risk assessment, the plan and the timeline (protection) belong to apps above
it. Each registers its sections when Django starts, so the page shows them
without loading those apps' template tags, which would make cases depend on
apps above it. The mechanism is amparo/cases/sections.py, shared with the
reporter's page (amparo/intake/reporter_sections.py).
"""

from __future__ import annotations

from amparo.cases.sections import Section, SectionRegistry

__all__ = ["PLACES", "Section", "register", "rendered", "sections"]

#: Where a section goes: after the files, above the form that writes to the
#: reporter (shown only when the reporter can read it), after the internal
#: notes, or last.
PLACES = ("files", "message_form", "notes", "end")

_page = SectionRegistry("case page", PLACES)
register = _page.register
sections = _page.sections
rendered = _page.rendered
