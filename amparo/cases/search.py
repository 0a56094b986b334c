"""Search across every case a person may see, by decrypting them for this search only.

Design (see docs/desk.md for the reasoning and the measured cost): nothing
derived from case content is stored, not even a blind index. Each search
opens the person's own sealed copy of each visible case's key with their
private key, decrypts the answers, messages, notes and attachment names in
memory, normalises them and matches the query; the coding (stored in clear)
is matched through its labels in all four languages. When the request ends,
the plaintext is gone.

Matching is accent-, case- and width-insensitive in every script (NFKD,
casefold, combining marks removed), and for Arabic also ignores tashkeel and
tatweel and treats the alef, yaa and taa-marbuta variants as one letter.
Every word of the query must occur somewhere in the case (AND), as a
substring, so "detenc" finds "detención".
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery

from amparo.cases.access import visible_cases
from amparo.cases.actions.coding import CODING_FIELDS
from amparo.cases.models import Attachment, CaseKey, CodedPerpetrator, Coding, Message, Note
from amparo.crypto import DecryptionError, decrypt_json, decrypt_text, open_data_key
from amparo.lib.binary import as_bytes
from amparo.reference import api as reference

logger = logging.getLogger("amparo.cases")

LANGUAGES = ("en", "fr", "es", "ar")
CHUNK = 500
MAX_QUERY_CHARS = 200
SNIPPET_CHARS = 80

# --- Normalisation -----------------------------------------------------------

# Combining marks of the Basic Multilingual Plane (accents, Arabic tashkeel
# U+064B to U+065F and the superscript alef U+0670, Hebrew points, ...). The
# supplementary planes hold none that the desk's four languages use.
_MARK_RANGES: list[tuple[int, int]] = []
for _code in range(0x10000):
    _char = chr(_code)
    if unicodedata.category(_char) in ("Mn", "Me") or unicodedata.combining(_char):
        if _MARK_RANGES and _MARK_RANGES[-1][1] == _code - 1:
            _MARK_RANGES[-1] = (_MARK_RANGES[-1][0], _code)
        else:
            _MARK_RANGES.append((_code, _code))
_MARKS = re.compile(
    "["
    + "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in _MARK_RANGES)
    + "]"
)

_FOLD: dict[str, str] = {
    "\u0640": "",  # tatweel (kashida): stretches a word, means nothing
    "\u0671": "\u0627",  # alef wasla → alef (أ إ آ already lose their hamza or madda)
    "\u0649": "\u064a",  # alef maqsura → yaa
    "\u06cc": "\u064a",  # Farsi yeh → yaa
    "\u0629": "\u0647",  # taa marbuta → haa
    "\u06a9": "\u0643",  # keheh → kaf
    "\u200c": "",  # zero-width non-joiner
    "\u200d": "",  # zero-width joiner
    "\u200e": "",  # left-to-right mark
    "\u200f": "",  # right-to-left mark
    **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
}
# A regular expression finds the few characters to fold much faster than
# str.translate walks every character of a long Latin text.
_FOLD_RE = re.compile("[" + "".join(_FOLD) + "]")


def _fold(match: re.Match[str]) -> str:
    return _FOLD[match.group()]


# Stripped from the ends of each query word: "détention," finds "détention".
_PUNCTUATION = "\"'.,;:!?()[]{}«»“”¿¡،؛؟…-/\\" + "\u2018\u2019\u2013\u2014"


def normalise(text: str) -> str:
    """Fold ``text`` for matching: decomposed, case-folded, without marks or Arabic variants."""
    text = _MARKS.sub("", unicodedata.normalize("NFKD", text).casefold())
    return _FOLD_RE.sub(_fold, text)


def query_terms(query: str) -> list[str]:
    """The normalised words of a query, without duplicates or surrounding punctuation."""
    terms: list[str] = []
    for word in normalise(query[:MAX_QUERY_CHARS]).split():
        word = word.strip(_PUNCTUATION)
        if word and word not in terms:
            terms.append(word)
    return terms


def snippet(text: str, term: str, width: int = SNIPPET_CHARS) -> str:
    """A short excerpt of ``text`` (as written) around the first place ``term`` matches."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = normalise(char)
        folded.append(piece)
        origin.extend([index] * len(piece))
    at = "".join(folded).find(term)
    if at < 0:
        return ""
    start = origin[at]
    end = origin[min(at + len(term), len(origin)) - 1] + 1
    left = max(0, start - width // 2)
    right = min(len(text), end + width // 2)
    excerpt = " ".join(text[left:right].split())
    return ("…" if left else "") + excerpt + ("…" if right < len(text) else "")


# --- The search -----------------------------------------------------------------

#: Where a match was found, for the results page.
ANSWERS, MESSAGE, NOTE, ATTACHMENT, CODING, REFERENCE = (
    "answers",
    "message",
    "note",
    "attachment",
    "coding",
    "reference",
)


@dataclass
class Hit:
    public_id: str
    reference: str
    stage: str
    urgency: str
    received_on: Any
    last_activity_on: Any
    where: list[str]
    excerpt: str


@dataclass
class Outcome:
    hits: list[Hit] = field(default_factory=list)
    found: int = 0
    searched: int = 0
    unreadable: int = 0
    seconds: float = 0.0


def _flatten(value: Any) -> Iterator[str]:
    """The readable strings inside a decrypted answers document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _flatten(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _flatten(item)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)


class _CodingLabels:
    """Every label of every coded value, in all four languages, folded once per search."""

    def __init__(self) -> None:
        self.terms: dict[str, dict[str, str]] = {}
        for list_code in (
            "reprisal_type",
            "target",
            "defender_profile",
            "engagement",
            "perpetrator",
            "involvement",
            "confidence",
        ):
            merged: dict[str, list[str]] = defaultdict(list)
            for language in LANGUAGES:
                try:
                    labels = reference.term_labels(list_code, language)
                except LookupError:
                    labels = {}
                for code, label in labels.items():
                    merged[code].append(label)
            self.terms[list_code] = {code: " | ".join(names) for code, names in merged.items()}
        self.countries: dict[str, str] = {}
        self.situations: dict[str, list[str]] = defaultdict(list)
        for language in LANGUAGES:
            for code, name in reference.situation_choices(language):
                self.situations[code].append(name)

    def country(self, code: str) -> str:
        if code not in self.countries:
            names = [reference.country_name(code, language) for language in LANGUAGES]
            self.countries[code] = " | ".join([*names, code])
        return self.countries[code]

    def term(self, list_code: str, code: str) -> str:
        return self.terms.get(list_code, {}).get(code, code)

    def text(self, coding: Any, perpetrators: list[dict[str, Any]]) -> str:
        parts: list[str] = []
        parts += [self.term("reprisal_type", code) for code in coding["reprisal_types"]]
        parts += [self.term("defender_profile", code) for code in coding["defender_profiles"]]
        parts += [self.term("engagement", code) for code in coding["engagement"]]
        if coding["target"]:
            parts.append(self.term("target", coding["target"]))
        if coding["situation"]:
            parts += self.situations.get(coding["situation"], [coding["situation"]])
        if coding["country"]:
            parts.append(self.country(coding["country"]))
        if coding["region"]:
            parts += [reference.region_label(coding["region"], lang) for lang in LANGUAGES]
        if coding["month"]:
            parts.append(coding["month"].strftime("%Y-%m"))
        for row in perpetrators:
            parts.append(self.term("perpetrator", row["perpetrator"]))
            if row["involvement"]:
                parts.append(self.term("involvement", row["involvement"]))
            if row["confidence"]:
                parts.append(self.term("confidence", row["confidence"]))
        return " | ".join(parts)


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _grouped(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row[1:])
    return grouped


def search_cases(user: Any, private_key: bytes, query: str, *, max_hits: int = 100) -> Outcome:
    """Every case visible to ``user`` that contains every word of ``query``.

    Newest activity first; at most ``max_hits`` are returned with an excerpt,
    ``found`` counts them all. The caller audits the search.
    """
    started = time.perf_counter()
    outcome = Outcome()
    terms = query_terms(query)
    if not terms:
        return outcome
    labels = _CodingLabels()
    public_key = as_bytes(user.public_key)
    sealed = CaseKey.objects.filter(case=OuterRef("pk"), user=user).values("sealed_key")[:1]
    ids = list(
        visible_cases(user).order_by("-last_activity_on", "-pk").values_list("pk", flat=True)
    )
    for chunk in _chunks(ids, CHUNK):
        cases = {
            row["pk"]: row
            for row in visible_cases(user)
            .filter(pk__in=chunk)
            .annotate(sealed=Subquery(sealed))
            .values(
                "pk",
                "public_id",
                "reference",
                "stage",
                "urgency",
                "received_on",
                "last_activity_on",
                "answers",
                "sealed",
            )
        }
        messages = _grouped(
            Message.objects.filter(case_id__in=chunk).values_list("case_id", "public_id", "body")
        )
        notes = _grouped(
            Note.objects.filter(case_id__in=chunk).values_list("case_id", "public_id", "body")
        )
        files = _grouped(
            Attachment.objects.filter(case_id__in=chunk).values_list(
                "case_id", "public_id", "metadata"
            )
        )
        codings = {
            row["case_id"]: row
            for row in Coding.objects.filter(case_id__in=chunk).values(
                "id", "case_id", *CODING_FIELDS
            )
        }
        perpetrators: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in CodedPerpetrator.objects.filter(coding__case_id__in=chunk).values(
            "coding_id", "perpetrator", "involvement", "confidence"
        ):
            perpetrators[row["coding_id"]].append(dict(row))

        for pk in chunk:
            case = cases.get(pk)
            if case is None:  # access withdrawn while we searched
                continue
            outcome.searched += 1
            report_id = case["public_id"]
            try:
                data_key = open_data_key(as_bytes(case["sealed"]), public_key, private_key)
                sources: list[tuple[str, str]] = [(REFERENCE, case["reference"])]
                answers = decrypt_json(
                    data_key, as_bytes(case["answers"]), report_id=report_id, field="answers"
                )
                sources += [(ANSWERS, text) for text in _flatten(answers)]
                for public_id, body in messages.get(pk, []):
                    text = decrypt_text(
                        data_key, as_bytes(body), report_id=report_id, field=f"message/{public_id}"
                    )
                    sources.append((MESSAGE, text))
                for public_id, body in notes.get(pk, []):
                    text = decrypt_text(
                        data_key, as_bytes(body), report_id=report_id, field=f"note/{public_id}"
                    )
                    sources.append((NOTE, text))
                for public_id, metadata in files.get(pk, []):
                    meta = decrypt_json(
                        data_key,
                        as_bytes(metadata),
                        report_id=report_id,
                        field=f"attachment/{public_id}",
                    )
                    sources.append((ATTACHMENT, str(meta.get("name", ""))))
            except DecryptionError:
                # A damaged or tampered row: say how many, never which words.
                outcome.unreadable += 1
                logger.warning("search could not decrypt case %s", report_id)
                continue
            coding = codings.get(pk)
            if coding is not None:
                sources.append((CODING, labels.text(coding, perpetrators.get(coding["id"], []))))

            haystack = normalise("\n".join(text for _kind, text in sources))
            if not all(term in haystack for term in terms):
                continue
            outcome.found += 1
            if len(outcome.hits) < max_hits:
                outcome.hits.append(_hit(case, sources, terms))
    outcome.seconds = time.perf_counter() - started
    return outcome


def _hit(case: dict[str, Any], sources: list[tuple[str, str]], terms: list[str]) -> Hit:
    # Short words match almost anywhere ("de" in "side"): say where the most
    # specific word, the longest, was found, and quote the text around it.
    key = max(terms, key=len)
    where: list[str] = []
    excerpt = ""
    for kind, text in sources:
        if key not in normalise(text):
            continue
        if kind not in where:
            where.append(kind)
        if not excerpt and kind not in (REFERENCE, CODING):
            excerpt = snippet(text, key)
    return Hit(
        public_id=case["public_id"],
        reference=case["reference"],
        stage=case["stage"],
        urgency=case["urgency"],
        received_on=case["received_on"],
        last_activity_on=case["last_activity_on"],
        where=where,
        excerpt=excerpt,
    )
