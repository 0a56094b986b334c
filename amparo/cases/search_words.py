"""The coordinators' search index as held in memory: per case its words, and one
buffer to scan them all (amparo.cases.search_index opens, updates and stores it).

Nothing here touches the database or a key.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from amparo.cases.search import normalise


def words(texts: Iterable[str]) -> str:
    """The normalised words of ``texts``, each once, space-separated.

    Equivalent to the texts for matching: a query word has no space in it, so it
    occurs in the texts exactly when it occurs in one of their words.
    """
    return " ".join(dict.fromkeys(normalise("\n".join(texts)).split()))


@dataclass(eq=False)
class OpenIndex:
    public_key: bytes
    private_key: bytes = field(repr=False)
    version: int = -1  # of the snapshot loaded; -1: none yet
    # case pk -> [case version, words of its texts, coding version, words of its coding]
    cases: dict[int, list[Any]] = field(default_factory=dict, repr=False)
    applied: set[int] = field(default_factory=set)  # entries replayed on top of the snapshot
    chars: int = 0
    holders: set[int] = field(default_factory=set)  # coordinators who used it in this process
    last_used: float = 0.0
    dirty: bool = False  # holds cases the snapshot lacks
    # For scanning: every case's words in one UTF-8 buffer (a query word, having no
    # whitespace, never matches across the newline between two cases), the offset
    # where each case starts, and the cases changed since it was built.
    scan: bytes = field(default=b"", repr=False)
    starts: list[int] = field(default_factory=list, repr=False)
    scan_pks: list[int] = field(default_factory=list, repr=False)
    changed: set[int] = field(default_factory=set, repr=False)


def apply_entry(index: OpenIndex, entry: dict[str, Any]) -> None:
    pk = int(entry["c"])
    index.changed.add(pk)
    if entry.get("x"):
        gone = index.cases.pop(pk, None)
        if gone is not None:
            index.chars -= len(gone[1]) + len(gone[3])
        return
    slot = index.cases.setdefault(pk, [0, "", 0, ""])
    if "t" in entry and entry["v"] >= slot[0]:
        index.chars += len(entry["t"]) - len(slot[1])
        slot[0], slot[1] = entry["v"], entry["t"]
    if "k" in entry and entry["w"] >= slot[2]:
        index.chars += len(entry["k"]) - len(slot[3])
        slot[2], slot[3] = entry["w"], entry["k"]


#: Cases changed since the scan buffer was built before it is built again.
RESCAN_AFTER = 1_000


def rescan(index: OpenIndex) -> None:
    pks = list(index.cases)
    parts = [f"{slot[1]} {slot[3]}".encode() for slot in index.cases.values()]
    starts = [0] * len(parts)
    at = 0
    for number, part in enumerate(parts):
        starts[number] = at
        at += len(part) + 1
    index.scan, index.starts, index.scan_pks = b"\n".join(parts), starts, pks
    index.changed = set()


def _scan(index: OpenIndex, term: str) -> set[int]:
    """The cases of the scan buffer whose words contain ``term``: one ``find`` per hit."""
    needle = term.encode()
    scan, starts, pks = index.scan, index.starts, index.scan_pks
    hits: set[int] = set()
    at = scan.find(needle)
    while at >= 0:
        number = bisect.bisect_right(starts, at) - 1
        hits.add(pks[number])
        if number + 1 >= len(starts):
            break
        at = scan.find(needle, starts[number + 1])
    return hits


def candidates(index: OpenIndex, ids: list[int], terms: list[str]) -> tuple[list[int], list[int]]:
    """The visible cases ``ids`` whose words hold every term (in the order of ``ids``),
    and those the index lacks. The caller holds the index's lock."""
    if len(index.changed) > RESCAN_AFTER or len(index.scan_pks) + len(index.changed) < len(
        index.cases
    ):
        rescan(index)
    matched = set.intersection(*(_scan(index, term) for term in terms)) - index.changed
    cases = index.cases
    for pk in index.changed:
        slot = cases.get(pk)
        if slot is not None and all(term in slot[1] or term in slot[3] for term in terms):
            matched.add(pk)
    found = [pk for pk in ids if pk in matched]
    missing = [pk for pk in ids if (slot := cases.get(pk)) is None or not slot[0]]
    return found, missing
