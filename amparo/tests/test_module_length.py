"""No module longer than a newcomer can read: at most 600 lines.

Data tables (``data/`` packages, ``*_data.py``) and migrations are exempt. The
modules that were longer before this test are listed in KNOWN_LONG: split them
(by page, by seam) and take them off the list; a new long module fails here.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 600

# Every module is under the limit now; the list stays for the record and may only shrink.
KNOWN_LONG: set[str] = set()


def exempt(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "migrations" in parts or "data" in parts or path.name.endswith("_data.py")


def long_modules() -> dict[str, int]:
    found = {}
    for folder in ("amparo", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if exempt(path):
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > LIMIT:
                found[str(path.relative_to(ROOT))] = lines
    return found


def test_no_new_module_is_longer_than_600_lines() -> None:
    new = {name: lines for name, lines in long_modules().items() if name not in KNOWN_LONG}
    assert new == {}, "split these modules (see docs/testing.md)"


def test_the_known_long_modules_are_still_long() -> None:
    fixed = sorted(KNOWN_LONG - set(long_modules()))
    assert fixed == [], "these are short now: take them off KNOWN_LONG"
