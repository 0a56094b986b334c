"""The desk's plain-text wording as HTML: paragraphs, links, and phone numbers
a person in danger can tap.

A phone number written in international form (+353 1 210 0489) becomes a
``tel:`` link that never wraps in the middle and always reads left to right,
Arabic pages included (the CSS gives ``a.tel`` ``white-space: nowrap``).
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html, urlize
from django.utils.safestring import SafeString, mark_safe

from amparo.lib import process_cache

register = template.Library()

# "+" then a digit, then digits with single spaces, dashes, dots or
# parentheses between them; bidi marks around it are dropped.
PHONE = re.compile(r"[\u200e\u200f]?(\+\d(?:[ \u00a0.\-]?\(?\d\)?){6,16})[\u200e\u200f]?")


def tel_href(number: str) -> str:
    return "tel:+" + "".join(c for c in number if c.isdigit())


def _linked(text: str) -> str:
    parts: list[str] = []
    position = 0
    for match in PHONE.finditer(text):
        parts.append(urlize(text[position : match.start()], autoescape=True))
        number = match.group(1)
        parts.append(
            format_html(
                '<a class="tel" href="{}" dir="ltr">{}</a>',
                tel_href(number),
                number,
            )
        )
        position = match.end()
    parts.append(urlize(text[position:], autoescape=True))
    return "".join(parts)


@register.filter(is_safe=True)
def desk_text(text: str) -> SafeString:
    """Plain text to paragraphs: a blank line starts one, a newline breaks a line.

    For the desk's public wording only (its texts, a questionnaire's consent text): the
    HTML is kept per process (amparo.lib.process_cache), since linking addresses and
    phone numbers cost a few milliseconds on every page that shows them.
    """
    html = process_cache.remember(("desk_text_html", text or ""), lambda: _html(text))
    return mark_safe(html)  # noqa: S308  every piece escaped by urlize or format_html


def _html(text: str) -> str:
    paragraphs = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    # Every piece is escaped by urlize or format_html.
    return "\n\n".join(
        "<p>" + "<br>".join(_linked(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
        if paragraph.strip()
    )


@register.filter
def tel_link(number: str) -> str:
    """The ``tel:`` address of a phone number written in international form."""
    return tel_href(number)
