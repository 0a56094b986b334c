"""Parts of the reporter's follow-up page that the apps above intake add.

The page (intake/views/reporter.py, intake/case.html) belongs to intake; what
the desk plans for the reporter's protection (protection), the reporter's
consent choices (consent) and the way to ask for deletion (operations) belong
to apps above it. Each registers its section when Django starts (its
``AppConfig.ready``), so intake shows them without importing those apps
(amparo/tests/test_app_layers.py). Within a place, sections show in the order
they were registered, that of INSTALLED_APPS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from amparo.cases.vault import OpenCase

#: Where a section goes: after "Where it stands", inside "What you sent", or last.
Place = Literal["status", "report", "end"]
PLACES: tuple[Place, ...] = ("status", "report", "end")


@dataclass(frozen=True)
class Section:
    name: str
    place: Place
    template: str
    #: The template's context for this reporter's case; None shows nothing.
    context: Callable[[OpenCase], dict[str, Any] | None]


_registered: dict[str, Section] = {}


def register(*sections: Section) -> None:
    for section in sections:
        known = _registered.get(section.name)
        if known is not None and known != section:
            raise RuntimeError(f"two reporter page sections are called {section.name!r}")
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
