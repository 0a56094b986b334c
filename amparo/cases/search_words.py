"""The coordinators' search index as held in memory: per case its words, and an
inverted index from each word to the cases holding it (amparo.cases.search_index
opens, updates and stores it).

Nothing here touches the database or a key.

Matching is unchanged from decrypting per request: a query word matches when it
is a substring of one of a case's normalised words. So a query word is looked up
in the vocabulary (the distinct words of every case, a few hundred thousand at
most, scanned in one comprehension), and the postings of every word it occurs in
give the cases: the cost follows the vocabulary and the matches, not the text.
"""

from __future__ import annotations

import json
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from amparo.cases.search import normalise

#: A slot whose case changed or left (slots are never reused until a rebuild).
DEAD = -1


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
    #: The key before the last rotation, for entries sealed to it while it happened.
    previous_key: bytes | None = field(default=None, repr=False)
    version: int = -1  # of the snapshot loaded; -1: none yet
    # case pk -> [case version, words of its texts, coding version, words of its coding],
    # the words as UTF-8 bytes: half the memory of str once any text is Arabic, and a
    # UTF-8 substring is a substring of the characters (query words are encoded too).
    cases: dict[int, list[Any]] = field(default_factory=dict, repr=False)
    applied: set[int] = field(default_factory=set)  # entries replayed on top of the snapshot
    chars: int = 0  # bytes (UTF-8) of the words held
    holders: set[int] = field(default_factory=set)  # coordinators who used it in this process
    last_used: float = 0.0
    dirty: bool = False  # differs from the snapshot in a way worth writing soon
    # The inverted index. Each version of a case's words gets a new *slot*; a
    # word's postings are the slots holding it, appended to and never edited,
    # so an update costs one append per word of the case. The old slot is marked
    # DEAD in ``slot_pks`` and skipped, until there are as many dead slots as
    # live ones and everything is rebuilt.
    postings: dict[str, array[int]] = field(default_factory=dict, repr=False)
    slot_pks: array[int] = field(default_factory=lambda: array("q"), repr=False)
    slots: dict[int, int] = field(default_factory=dict, repr=False)  # case pk -> live slot
    dead: int = 0
    textless: set[int] = field(default_factory=set, repr=False)  # cases with a coding only
    # The vocabulary (the postings' words) joined for scanning, and the words added since.
    vocabulary: str = field(default="\n", repr=False)
    fresh: list[str] = field(default_factory=list, repr=False)


#: New words kept beside the vocabulary buffer before it is joined again.
REJOIN_AFTER = 1_000
#: A query word whose postings hold more than this many slots per indexed case is
#: matched by scanning each case's words instead (a word in many words, like "a").
SCAN_AFTER = 3


def _post(index: OpenIndex, pk: int) -> None:
    """Give ``pk`` a new slot holding its current words (none if it left the index)."""
    old = index.slots.pop(pk, None)
    if old is not None:
        index.slot_pks[old] = DEAD
        index.dead += 1
    entry = index.cases.get(pk)
    if entry is None:
        return
    slot = len(index.slot_pks)
    index.slot_pks.append(pk)
    index.slots[pk] = slot
    postings = index.postings
    for word in set((b"%s %s" % (entry[1], entry[3])).decode("utf-8").split()):
        posting = postings.get(word)
        if posting is None:
            postings[word] = array("I", (slot,))
            index.fresh.append(word)
        else:
            posting.append(slot)


def rebuild(index: OpenIndex) -> None:
    """Build the inverted index again from ``cases`` (after loading, or to shed dead slots)."""
    # Lists first, arrays at the end: about twice as fast as appending to arrays.
    lists: defaultdict[str, list[int]] = defaultdict(list)
    slot_pks = array("q")
    for slot, (pk, entry) in enumerate(index.cases.items()):
        slot_pks.append(pk)
        text = entry[1].decode("utf-8").split()
        for word in text:
            lists[word].append(slot)
        if entry[3]:
            for word in set(entry[3].decode("utf-8").split()).difference(text):
                lists[word].append(slot)
    index.postings = {word: array("I", slots) for word, slots in lists.items()}
    index.slot_pks, index.dead = slot_pks, 0
    index.slots = {pk: slot for slot, pk in enumerate(slot_pks)}
    index.textless = {pk for pk, entry in index.cases.items() if not entry[0]}
    _rejoin(index)


#: The first line of a snapshot that stores the inverted index beside the words. A
#: snapshot without it (the first format: the words only) is rebuilt when opened.
FORMAT = b"amparo-search-index 2\n"


def _live_postings(index: OpenIndex) -> dict[str, array[int]]:
    """The postings without dead slots: the words a case had before it changed or left
    must not reach the snapshot (nor a word only such a case held)."""
    if not index.dead:
        return index.postings
    dead = {slot for slot, pk in enumerate(index.slot_pks) if pk == DEAD}
    live = {}
    for word, posting in index.postings.items():
        if dead.isdisjoint(posting):
            live[word] = posting
        else:
            kept = array("I", [slot for slot in posting if slot not in dead])
            if kept:
                live[word] = kept
    return live


def dump(index: OpenIndex) -> bytes:
    """The snapshot's plaintext: a header, then the cases (ids and versions as raw
    arrays, words joined by newlines) and the inverted index (vocabulary, the case
    of each slot, the postings as raw arrays), so that opening it is a few C-speed
    splits and copies, with no rebuild."""
    cases = index.cases.values()
    pks = array("q", index.cases)
    versions = array("q", [entry[0] for entry in cases])
    coding_versions = array("q", [entry[2] for entry in cases])
    # Words hold no whitespace, so newlines separate safely.
    texts = b"\n".join([entry[1] for entry in cases])
    codings = b"\n".join([entry[3] for entry in cases])
    postings = _live_postings(index)
    vocabulary = "\n".join(postings).encode("utf-8")
    lengths = array("I", map(len, postings.values()))
    header = {
        "order": sys.byteorder,
        "cases": len(pks),
        "texts": len(texts),
        "codings": len(codings),
        "vocabulary": len(vocabulary),
        "slots": len(index.slot_pks),
        "words": len(lengths),
    }
    return b"".join(
        [FORMAT, json.dumps(header).encode("ascii"), b"\n"]
        + [pks.tobytes(), versions.tobytes(), coding_versions.tobytes()]
        + [texts, codings, vocabulary, index.slot_pks.tobytes(), lengths.tobytes()]
        + [posting.tobytes() for posting in postings.values()]
    )


def _parts(plain: bytes) -> dict[str, Any]:
    """The sections of a snapshot of the current format, each checked for its length."""
    end = plain.index(b"\n", len(FORMAT))
    header = json.loads(plain[len(FORMAT) : end])
    view, at = memoryview(plain), end + 1
    parts: dict[str, Any] = {}
    sizes = [("pks", "q", "cases"), ("versions", "q", "cases"), ("coding_versions", "q", "cases")]
    sizes += [("texts", "", "texts"), ("codings", "", "codings")]
    sizes += [("vocabulary", "", "vocabulary"), ("slot_pks", "q", "slots")]
    sizes += [("lengths", "I", "words"), ("flat", "I", "")]
    for name, code, count in sizes:
        if not code:
            parts[name] = plain[at : at + header[count]]
            at += header[count]
            continue
        part = array(code)
        stop = at + part.itemsize * header[count] if count else len(plain)
        part.frombytes(view[at:stop])
        if header["order"] != sys.byteorder:
            part.byteswap()
        parts[name], at = part, stop
    if len(parts["lengths"]) != header["words"] or sum(parts["lengths"]) != len(parts["flat"]):
        raise ValueError("search index snapshot: inconsistent inverted index")
    return parts


def _lines(blob: bytes, count: int) -> list[bytes]:
    return blob.split(b"\n") if count else []


def load(index: OpenIndex, plain: bytes) -> bool:
    """Fill ``index`` from a snapshot's plaintext. True when the snapshot held the
    inverted index; False when it was the first format (lines of
    ``pk, version, words, coding version, coding words``: the inverted index is then
    rebuilt here, and written in the current format at the next merge)."""
    if not plain.startswith(FORMAT):
        index.cases = {}
        for line in plain.split(b"\n"):
            if line:
                pk, v, text, cv, coding = line.split(b"\t")
                index.cases[int(pk)] = [int(v), text, int(cv), coding]
        index.chars = sum(len(entry[1]) + len(entry[3]) for entry in index.cases.values())
        rebuild(index)
        return False
    parts = _parts(plain)
    count = len(parts["pks"])
    texts, codings = _lines(parts["texts"], count), _lines(parts["codings"], count)
    rows = zip(parts["versions"], texts, parts["coding_versions"], codings, strict=True)
    index.cases = dict(zip(parts["pks"], map(list, rows), strict=True))
    index.chars = len(parts["texts"]) + len(parts["codings"]) - 2 * max(0, count - 1)
    vocabulary = parts["vocabulary"].decode("utf-8")
    words_ = vocabulary.split("\n") if vocabulary else []
    postings, at, flat = {}, 0, parts["flat"]
    for word, length in zip(words_, parts["lengths"], strict=True):
        postings[word] = flat[at : at + length]
        at += length
    index.postings = postings
    index.slot_pks = slot_pks = parts["slot_pks"]
    index.slots = {pk: slot for slot, pk in enumerate(slot_pks) if pk != DEAD}
    index.dead = len(slot_pks) - len(index.slots)
    index.textless = {pk for pk, entry in index.cases.items() if not entry[0]}
    index.vocabulary = "\n" + vocabulary + "\n"
    index.fresh = []
    return True


def _rejoin(index: OpenIndex) -> None:
    # Words hold no whitespace: newlines separate them, and a query word never
    # matches across two.
    index.vocabulary = "\n" + "\n".join(index.postings) + "\n"
    index.fresh = []


def apply_entry(index: OpenIndex, entry: dict[str, Any]) -> None:
    pk = int(entry["c"])
    if entry.get("x"):
        drop(index, pk)
        return
    slot = index.cases.setdefault(pk, [0, b"", 0, b""])
    changed = False
    if "t" in entry and entry["v"] >= slot[0]:
        text = entry["t"].encode("utf-8")
        index.chars += len(text) - len(slot[1])
        changed = changed or text != slot[1]
        slot[0], slot[1] = entry["v"], text
    if "k" in entry and entry["w"] >= slot[2]:
        coding = entry["k"].encode("utf-8")
        index.chars += len(coding) - len(slot[3])
        changed = changed or coding != slot[3]
        slot[2], slot[3] = entry["w"], coding
    if slot[0]:
        index.textless.discard(pk)
    else:
        index.textless.add(pk)
    if changed or pk not in index.slots:
        _post(index, pk)


def drop(index: OpenIndex, pk: int) -> None:
    """Take a case out of the index (shredded, or no longer sealed to every holder)."""
    gone = index.cases.pop(pk, None)
    index.textless.discard(pk)
    if gone is not None:
        index.chars -= len(gone[1]) + len(gone[3])
        index.dirty = True  # its words leave the snapshot at the next merge, not later
    _post(index, pk)


def _words(index: OpenIndex, term: str) -> list[str]:
    """The words of the vocabulary that contain ``term``: one ``find`` per such word."""
    if len(index.fresh) > REJOIN_AFTER:
        _rejoin(index)
    vocabulary = index.vocabulary
    found = []
    at = vocabulary.find(term)
    while at >= 0:
        start = vocabulary.rfind("\n", 0, at) + 1
        end = vocabulary.find("\n", at)
        found.append(vocabulary[start:end])
        at = vocabulary.find(term, end + 1)
    found += [word for word in index.fresh if term in word]
    return found


def _has(entry: list[Any] | None, term: bytes) -> bool:
    return entry is not None and (term in entry[1] or term in entry[3])


def _matching(index: OpenIndex, terms: list[str]) -> set[int]:
    """The cases whose words hold every term."""
    postings, cases = index.postings, index.cases
    plans = []
    for term in terms:
        found = [postings[word] for word in _words(index, term) if word in postings]
        plans.append((sum(map(len, found)), term, found))
    plans.sort(key=lambda plan: plan[0])  # the rarest first: it bounds the rest
    matched: set[int] | None = None
    for cost, term, found in plans:
        encoded = term.encode("utf-8")  # the cases' words are UTF-8 bytes
        if matched is not None and len(matched) * 10 < cost:
            # Few candidates left: checking their words is cheaper than the postings.
            matched = {pk for pk in matched if _has(cases.get(pk), encoded)}
        elif cost > SCAN_AFTER * len(cases):
            pks = {pk for pk, e in cases.items() if encoded in e[1] or encoded in e[3]}
            matched = pks if matched is None else matched & pks
        else:
            slots: set[int] = set()
            for posting in found:
                slots.update(posting)
            pks = set(map(index.slot_pks.__getitem__, slots))
            pks.discard(DEAD)
            matched = pks if matched is None else matched & pks
        if not matched:
            return set()
    return matched or set()


def candidates(index: OpenIndex, ids: list[int], terms: list[str]) -> tuple[list[int], list[int]]:
    """The visible cases ``ids`` whose words hold every term (in the order of ``ids``),
    and those the index lacks. The caller holds the index's lock."""
    if index.dead > max(1_000, len(index.slots)):
        rebuild(index)
    pks = _matching(index, terms)
    found = [pk for pk in ids if pk in pks]
    absent = set(ids).difference(index.cases.keys()).union(index.textless)
    missing = [pk for pk in ids if pk in absent] if absent else []
    return found, missing
