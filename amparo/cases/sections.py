"""The one mechanism behind the pages that apps above their owner add to:
the desk's case page (amparo/cases/page_sections.py) and the reporter's
follow-up page (amparo/intake/reporter_sections.py).

An app registers its sections when Django starts (its ``AppConfig.ready``),
so the page's owner shows them without importing the app or loading its
template tags (amparo/tests/test_app_layers.py, test_template_layers.py).
Within a place, sections show in the order they were registered, that of
INSTALLED_APPS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from amparo.cases.vault import OpenCase


@dataclass(frozen=True)
class Section:
    name: str
    #: One of the page's places (``SectionRegistry.places``).
    place: str
    template: str
    #: The template's context for the case, opened for the person reading it;
    #: None shows nothing. The template is rendered with the request, so
    #: ``{% csrf_token %}`` works in it.
    context: Callable[[OpenCase], dict[str, Any] | None]


class SectionRegistry:
    """The sections of one page, by name, each in one of the page's places."""

    def __init__(self, page: str, places: tuple[str, ...]) -> None:
        self.page = page
        self.places = places
        self._registered: dict[str, Section] = {}

    def register(self, *sections: Section) -> None:
        for section in sections:
            if section.place not in self.places:
                raise RuntimeError(f"the {self.page} has no place {section.place!r}")
            known = self._registered.get(section.name)
            if known is not None and known != section:
                raise RuntimeError(f"two {self.page} sections are called {section.name!r}")
            self._registered[section.name] = section

    def sections(self) -> tuple[Section, ...]:
        return tuple(self._registered.values())

    def rendered(self, request: HttpRequest, opened: OpenCase) -> dict[str, list[SafeString]]:
        """Every registered section with something to show, as HTML, by place."""
        result: dict[str, list[SafeString]] = {place: [] for place in self.places}
        for section in self._registered.values():
            context = section.context(opened)
            if context is not None:
                result[section.place].append(render_to_string(section.template, context, request))
        return result
