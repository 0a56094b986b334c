"""The reporter's way to ask for deletion, last on their follow-up page
(amparo/intake/reporter_sections.py)."""

from __future__ import annotations

from amparo.intake.reporter_sections import Section

SECTION = Section("deletion_link", "end", "operations/_deletion_link.html", lambda opened: {})
