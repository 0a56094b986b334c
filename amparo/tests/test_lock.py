"""requirements.lock keeps up with pyproject.toml, and pins every file by its hash.

A dependency added to pyproject.toml without `make lock` would be missing
from every install made from the lock: this test names it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return normalised(match.group(1))


def pinned() -> dict[str, list[str]]:
    """Each pinned package with the lines of its entry."""
    entries: dict[str, list[str]] = {}
    current = ""
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            current = requirement_name(line)
            entries[current] = [line]
        elif current and line.strip().startswith("--hash="):
            entries[current].append(line)
    return entries


def test_every_dependency_in_pyproject_is_in_the_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    missing = sorted({requirement_name(r) for r in wanted} - set(pinned()))
    assert missing == [], "run `make lock` (see README) and commit requirements.lock"


def test_every_pin_is_exact_and_hashed() -> None:
    for name, lines in pinned().items():
        assert "==" in lines[0], f"{name} is not pinned to one version"
        assert len(lines) > 1, f"{name} has no hash"
