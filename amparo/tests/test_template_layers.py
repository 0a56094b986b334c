"""Templates follow the app layers too: an app's templates load no tag library
of an app above it (amparo/tests/test_app_layers.py's LAYERS).

A ``{% load %}`` is an import the Python layering test does not see. Where a
page of a lower app shows something of a higher one, the higher app registers
a section (amparo/cases/page_sections.py, amparo/intake/reporter_sections.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from amparo.tests.test_app_layers import LAYERS, PACKAGE

LOAD = re.compile(r"{%\s*load\s+(.+?)\s*%}")


def tag_libraries() -> dict[str, str]:
    """Each tag library's name, and the app that holds it."""
    return {
        path.stem: path.parent.parent.name
        for path in PACKAGE.glob("*/templatetags/*.py")
        if path.stem != "__init__"
    }


def loads_upward(template: Path, app: str, libraries: dict[str, str]) -> list[str]:
    text = template.read_text(encoding="utf-8")
    found = []
    for match in LOAD.finditer(text):
        names = match.group(1).split()
        if "from" in names:  # {% load tag from library %}
            names = names[names.index("from") + 1 :]
        for name in names:
            owner = libraries.get(name)
            if owner is not None and LAYERS.index(owner) > LAYERS.index(app):
                found.append(f"{template} loads {name} ({owner})")
    return found


def test_no_template_loads_the_tags_of_an_app_above() -> None:
    libraries = tag_libraries()
    found = []
    for template in PACKAGE.glob("*/templates/**/*.html"):
        app = template.relative_to(PACKAGE).parts[0]
        if app in LAYERS:
            found += loads_upward(template, app, libraries)
    assert found == [], found


def test_it_sees_a_load_from_above(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("{% load i18n desk_text %}{% load x from desk_text %}", encoding="utf-8")
    assert len(loads_upward(page, "cases", {"desk_text": "intake"})) == 2
    assert loads_upward(page, "consent", {"desk_text": "intake"}) == []
