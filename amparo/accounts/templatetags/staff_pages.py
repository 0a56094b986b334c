"""``{% staff_entries "nav" %}``: what the apps above accounts registered for
a staff page (amparo/accounts/staff_pages.py), each rendered as an
``{% include %}`` of its template would be."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from amparo.accounts import staff_pages

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_entries(
    context: template.Context,
    place: staff_pages.Place,
) -> SafeString:
    engine: Any = context.template.engine  # type: ignore[union-attr]
    parts = []
    for entry in staff_pages.entries(place):
        page = engine.get_template(entry.template)
        with context.push():
            parts.append(page.render(context))
    # Each part is a rendered template, escaped by its own autoescaping.
    return mark_safe("".join(parts))  # noqa: S308
