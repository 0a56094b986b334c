"""Helpers for browser tests: accessibility checks and layout checks."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

LANGUAGES = {"en": "ltr", "fr": "ltr", "es": "ltr", "ar": "rtl"}

_axe = Axe()


def serious_accessibility_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the current page."""
    results = _axe.run(page)
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes)"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def overflows_horizontally(page: Any) -> bool:
    """True when the page is wider than the viewport (a phone would scroll sideways)."""
    width: int = page.evaluate("document.documentElement.scrollWidth")
    viewport: int = page.viewport_size["width"]
    return width > viewport + 1
