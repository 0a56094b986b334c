"""Apps depend on each other one way: no import cycle between apps.

Every ``import`` in every module of an app counts, wherever it sits (inside a
function too), except in tests and migrations. An app importing another makes
an edge; the test fails on any cycle in that graph, so a change that makes two
apps need each other shows up at once.

Some edges were there before this test: they are listed in KNOWN_BACK_EDGES,
each against the layer order the apps should follow, and the cycle check runs
without them. That list may only shrink: a listed edge that no longer exists
fails the suite too, so removing one is recorded here.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]

# Lower apps first: an app may import those above it in this list, not below.
LAYERS = [
    "lib",
    "formats",
    "crypto",
    "core",
    "audit",
    "reference",
    "accounts",
    "cases",
    "notify",
    "intake",
    "protection",
    "consent",
    "referrals",
    "operations",
    "reports",
    "demo",
]

# (importer, imported): edges that point up the layers, to be removed. Keep the
# reason, so whoever takes one on knows where it is. Empty since issue 14: keep it so.
KNOWN_BACK_EDGES: set[tuple[str, str]] = set()


def app_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    if len(parts) < 2 or "tests" in parts or "migrations" in parts:
        return None
    return parts[0]


def imported_apps(path: Path, apps: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        for name in names:
            parts = name.split(".")
            if parts[0] == "amparo" and len(parts) > 1 and parts[1] in apps:
                found.add(parts[1])
    return found


def app_graph() -> dict[str, set[str]]:
    apps = {child.name for child in PACKAGE.iterdir() if (child / "__init__.py").exists()}
    apps.discard("tests")
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        app = app_of(path)
        if app is None or app not in apps:
            continue
        graph[app] |= imported_apps(path, apps) - {app}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        on_stack.add(app)
        for other in sorted(graph.get(app, ())):
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in on_stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == app:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for app in sorted(graph):
        if app not in index:
            visit(app)
    return found


def without_known(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    return {
        app: {o for o in others if (app, o) not in KNOWN_BACK_EDGES}
        for app, others in graph.items()
    }


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_apps() -> None:
    found = cycles(without_known(app_graph()))
    assert found == [], f"apps importing each other: {found} (see docs/testing.md)"


def test_every_app_has_a_place_in_the_layers() -> None:
    assert set(app_graph()) <= set(LAYERS), "add the new app to LAYERS"


def test_known_back_edges_still_exist_and_point_up() -> None:
    graph = app_graph()
    gone = {edge for edge in KNOWN_BACK_EDGES if edge[1] not in graph.get(edge[0], set())}
    assert not gone, f"remove these from KNOWN_BACK_EDGES, they are fixed: {sorted(gone)}"
    for importer, imported in KNOWN_BACK_EDGES:
        assert LAYERS.index(importer) < LAYERS.index(imported)


def test_no_new_edge_points_up_the_layers() -> None:
    graph = without_known(app_graph())
    up = sorted(
        (app, other)
        for app, others in graph.items()
        for other in others
        if app in LAYERS and other in LAYERS and LAYERS.index(other) > LAYERS.index(app)
    )
    assert up == [], f"these imports point up the layers: {up}"


def test_roles_and_the_staff_decorator_are_imported_from_core() -> None:
    """``Role`` and ``staff_required`` live in amparo.core; accounts only re-exports
    them, and importing them from there ties an app to accounts for nothing."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        app = app_of(path)
        if app is None or app == "accounts":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            from_accounts = (node.module or "").startswith("amparo.accounts")
            if from_accounts and {a.name for a in node.names} & {"Role", "staff_required"}:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert found == [], f"import Role and staff_required from amparo.core: {found}"
