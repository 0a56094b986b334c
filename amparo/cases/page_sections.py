"""Parts of the desk's case page that the apps above cases add.

The page (cases/views/case.py, cases/detail.html) belongs to cases; the
consent records and the notice that the team may not write (consent), the
risk assessment, the plan and the timeline (protection) belong to apps above
it. Each registers its sections when Django starts (its ``AppConfig.ready``),
so the page shows them without loading those apps' template tags, which would
make cases depend on apps above it (amparo/tests/test_template_layers.py).
Within a place, sections show in the order they were registered, that of
INSTALLED_APPS. The same shape as the reporter's page
(amparo/intake/reporter_sections.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from amparo.cases.vault import OpenCase

#: Where a section goes: after the files, above the form that writes to the
#: reporter (shown only when the reporter can read it), after the internal
#: notes, or last.
Place = Literal["files", "message_form", "notes", "end"]
PLACES: tuple[Place, ...] = ("files", "message_form", "notes", "end")


@dataclass(frozen=True)
class Section:
    name: str
    place: Place
    template: str
    #: The template's context for the case, opened for the person reading it;
    #: None shows nothing. The template is rendered with the request, so
    #: ``{% csrf_token %}`` works in it.
    context: Callable[[OpenCase], dict[str, Any] | None]


_registered: dict[str, Section] = {}


def register(*sections: Section) -> None:
    for section in sections:
        known = _registered.get(section.name)
        if known is not None and known != section:
            raise RuntimeError(f"two case page sections are called {section.name!r}")
        _registered[section.name] = section


def sections() -> tuple[Section, ...]:
    return tuple(_registered.values())


def rendered(request: HttpRequest, opened: OpenCase) -> dict[Place, list[SafeString]]:
    """Every registered section with something to show, as HTML, by place."""
    result: dict[Place, list[SafeString]] = {place: [] for place in PLACES}
    for section in _registered.values():
        context = section.context(opened)
        if context is not None:
            result[section.place].append(render_to_string(section.template, context, request))
    return result
