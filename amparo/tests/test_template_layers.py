"""Templates follow the app layers too: an app's templates load no tag library
of an app above it, and include no template of an app above it
(amparo/tests/test_app_layers.py's LAYERS).

A ``{% load %}`` or an ``{% include %}`` is an import the Python layering
test does not see. Where a page of a lower app shows
something of a higher one, the higher app registers a section or an entry
(amparo/cases/page_sections.py, amparo/intake/reporter_sections.py,
amparo/accounts/staff_pages.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from amparo.tests.test_app_layers import LAYERS, PACKAGE

LOAD = re.compile(r"{%\s*load\s+(.+?)\s*%}")
# A template named by a literal; a name held in a variable is not seen.
# ({% extends %} is not checked: audit's and reference's pages extend accounts'
# staff_base.html, the staff pages' frame, which sits above them.)
INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")


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


def template_owners() -> dict[str, str]:
    """Each template's name, and the app whose templates folder holds it."""
    owners = {}
    for path in PACKAGE.glob("*/templates/**/*.html"):
        parts = path.relative_to(PACKAGE).parts
        owners["/".join(parts[2:])] = parts[0]
    return owners


def includes_upward(template: Path, app: str, owners: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    for name in INCLUDE.findall(template.read_text(encoding="utf-8")):
        owner = owners.get(name)
        if owner in LAYERS and LAYERS.index(owner) > LAYERS.index(app):
            where = template.relative_to(PACKAGE) if template.is_relative_to(PACKAGE) else template
            found.append((where.as_posix(), name))
    return found


def all_upward_includes() -> set[tuple[str, str]]:
    owners = template_owners()
    found: set[tuple[str, str]] = set()
    for template in PACKAGE.glob("*/templates/**/*.html"):
        app = template.relative_to(PACKAGE).parts[0]
        if app in LAYERS:
            found.update(includes_upward(template, app, owners))
    return found


def test_no_template_includes_a_template_of_an_app_above() -> None:
    found = all_upward_includes()
    assert found == set(), f"these templates include templates of apps above: {sorted(found)}"


def test_it_sees_an_include_from_above(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '{% extends "cases/base.html" %}{% include "cases/nav_links.html" %}'
        "{% include 'reports/home_links.html' with x=1 %}{% include \"accounts/last_held.html\" %}",
        encoding="utf-8",
    )
    owners = {
        "cases/base.html": "cases",
        "cases/nav_links.html": "cases",
        "reports/home_links.html": "reports",
        "accounts/last_held.html": "accounts",
    }
    names = [name for _, name in includes_upward(page, "accounts", owners)]
    assert names == ["cases/nav_links.html", "reports/home_links.html"]
    assert [name for _, name in includes_upward(page, "core", owners)] == [
        "cases/nav_links.html",
        "reports/home_links.html",
        "accounts/last_held.html",
    ]


def test_it_sees_a_load_from_above(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("{% load i18n desk_text %}{% load x from desk_text %}", encoding="utf-8")
    assert len(loads_upward(page, "cases", {"desk_text": "intake"})) == 2
    assert loads_upward(page, "consent", {"desk_text": "intake"}) == []
