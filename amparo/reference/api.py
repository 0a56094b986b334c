"""What other apps use: form choices and labels from the reference data.

Choices carry stable codes; labels come in the requested language or the
active one, falling back to English. Within a request each list is read from
the database once (one query per list, whatever the number of calls), so a
page that labels a hundred coded cases costs the same as one that labels one.
Requests also share what they read within the process (amparo.lib.process_cache:
forgotten on every change, in every process); outside a request nothing is
cached and every call reads the database.
"""

from __future__ import annotations

import datetime
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from django.utils import translation
from django_countries import countries

from amparo.lib import process_cache
from amparo.reference.data import regions
from amparo.reference.models import (
    LANGUAGE_CODES,
    ReferenceList,
    Situation,
    StateParty,
    Term,
    pick_language,
)

__all__ = [
    "choices",
    "country_choices",
    "country_name",
    "grouped_choices",
    "region_choices",
    "region_for",
    "region_label",
    "request_cache",
    "session_choices",
    "session_title",
    "situation_choices",
    "situation_name",
    "states_parties_on",
    "term_label",
    "term_labels",
]

Choices = list[tuple[str, str]]
GroupedChoices = list[tuple[str, Choices]]

_MAIN_REGIONS = (
    regions.AFRICA,
    regions.AMERICAS,
    regions.ASIA,
    regions.EUROPE,
    regions.OCEANIA,
)
_SPLIT_REGIONS = (
    regions.AFRICA,
    regions.LATIN_AMERICA_CARIBBEAN,
    regions.NORTHERN_AMERICA,
    regions.ASIA,
    regions.EUROPE,
    regions.OCEANIA,
)


# --- Per-request memo -------------------------------------------------------

_local = threading.local()
T = TypeVar("T")


@contextmanager
def request_cache() -> Iterator[None]:
    """Inside the block, each list is read once. Nested blocks share the outer memo."""
    outer = getattr(_local, "memo", None)
    if outer is None:
        _local.memo = {}
    try:
        yield
    finally:
        if outer is None:
            _local.memo = None


def start_request_cache(**_kwargs: Any) -> None:
    _local.memo = {}


def end_request_cache(**_kwargs: Any) -> None:
    _local.memo = None


def invalidate(*_args: Any, **_kwargs: Any) -> None:
    """Forget what this request and every process have read: called after every change
    (by the actions, and by the models' save and delete signals)."""
    memo = getattr(_local, "memo", None)
    if memo is not None:
        memo.clear()
    process_cache.invalidate()


def _memoised(key: tuple[str, ...], load: Callable[[], T]) -> T:
    memo: dict[tuple[str, ...], Any] | None = getattr(_local, "memo", None)
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = process_cache.remember(("reference", *key), load)
    value: T = memo[key]
    return value


# --- Vocabularies -----------------------------------------------------------


class _Term(NamedTuple):
    code: str
    labels: dict[str, str]
    active: bool
    children: tuple[_Term, ...]
    since_version: int = 1
    retired_in_version: int | None = None

    def label(self, language: str) -> str:
        return self.labels[language] or self.labels["en"]

    def offered(self, version: int | None, include_inactive: bool) -> bool:
        """In the list now (active), or in the given version of the list."""
        if version is None:
            return self.active or include_inactive
        return self.since_version <= version and (
            self.retired_in_version is None or version < self.retired_in_version
        )


def _tree(list_code: str) -> tuple[_Term, ...]:
    """The list's terms as a tree, in order: one query."""

    def load() -> tuple[_Term, ...]:
        rows = list(
            Term.objects.filter(reference_list__code=list_code)
            .order_by("position", "code")
            .values(
                "id",
                "parent_id",
                "code",
                "active",
                "since_version",
                "retired_in_version",
                *(f"label_{c}" for c in LANGUAGE_CODES),
            )
        )
        if not rows:
            raise LookupError(f"no reference list {list_code!r}, or it has no terms")
        by_parent: dict[int | None, list[dict[str, Any]]] = {}
        for row in rows:
            by_parent.setdefault(row["parent_id"], []).append(row)

        def build(parent_id: int | None) -> tuple[_Term, ...]:
            return tuple(
                _Term(
                    row["code"],
                    {c: row[f"label_{c}"] for c in LANGUAGE_CODES},
                    row["active"],
                    build(row["id"]),
                    row["since_version"],
                    row["retired_in_version"],
                )
                for row in by_parent.get(parent_id, [])
            )

        return build(None)

    return _memoised(("terms", list_code), load)


def choices(
    list_code: str,
    *,
    language: str | None = None,
    include_inactive: bool = False,
    version: int | None = None,
) -> Choices:
    """Flat ``(code, label)`` pairs of the list's leaf terms, in list order.

    A category with items is not itself a choice; one without items (such as
    the reprisal type "other") is. Inactive terms, and the items of inactive
    categories, are left out unless ``include_inactive``. With ``version``,
    the terms of that version of the list instead, whatever is active now:
    what a questionnaire pinned to that version offered.
    """
    lang = pick_language(language)
    result: Choices = []
    for term in _tree(list_code):
        if not term.offered(version, include_inactive):
            continue
        leaves = term.children or (term,)
        result.extend(
            (leaf.code, leaf.label(lang))
            for leaf in leaves
            if leaf.offered(version, include_inactive)
        )
    return result


def list_version(list_code: str) -> int:
    """The list's current version, which a new coding or report records."""

    def load() -> int:
        row = ReferenceList.objects.filter(code=list_code).values_list("version", flat=True)
        found = list(row)
        if not found:
            raise LookupError(f"no reference list {list_code!r}")
        return int(found[0])

    return _memoised(("version", list_code), load)


def grouped_choices(
    list_code: str, *, language: str | None = None, include_inactive: bool = False
) -> GroupedChoices:
    """``(category label, [(code, label), ...])`` pairs, for ``<optgroup>``.

    The leaves are those of ``choices``; a top-level term without items forms
    a group of its own, so every choice sits in exactly one group.
    """
    lang = pick_language(language)
    result: GroupedChoices = []
    for term in _tree(list_code):
        if not (term.active or include_inactive):
            continue
        leaves = term.children or (term,)
        options = [
            (leaf.code, leaf.label(lang)) for leaf in leaves if leaf.active or include_inactive
        ]
        if options:
            result.append((term.label(lang), options))
    return result


def term_labels(list_code: str, language: str | None = None) -> dict[str, str]:
    """Every term's label, categories and inactive terms included, by code."""
    lang = pick_language(language)
    labels: dict[str, str] = {}

    def walk(terms: tuple[_Term, ...]) -> None:
        for term in terms:
            labels[term.code] = term.label(lang)
            walk(term.children)

    walk(_tree(list_code))
    return labels


def term_label(list_code: str, code: str, language: str | None = None) -> str:
    """The term's label; an unknown code is returned as it is, never an error,
    so that a page still renders a case coded with a retired term."""
    return term_labels(list_code, language).get(code, code)


# --- Situations ---------------------------------------------------------------


def _situations() -> tuple[tuple[str, dict[str, str]], ...]:
    def load() -> tuple[tuple[str, dict[str, str]], ...]:
        return tuple((s.code, s.names()) for s in Situation.objects.order_by("position", "code"))

    return _memoised(("situations",), load)


def situation_choices(language: str | None = None) -> Choices:
    """``(code, name)`` of every situation and preliminary examination, in the Court's order."""
    lang = pick_language(language)
    return [(code, names[lang] or names["en"]) for code, names in _situations()]


def situation_name(code: str, language: str | None = None) -> str:
    return dict(situation_choices(language)).get(code, code)


# --- Countries and regions ------------------------------------------------------


def _sort_key(name: str) -> str:
    # Accents, and the hamza or madda on an Arabic alef, do not decide the
    # order: "Égypte" sorts with E. (Without pyuca, django-countries falls
    # back to an ASCII-only key, which leaves Arabic names unsorted.)
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=len(LANGUAGE_CODES))
def _countries(language: str) -> tuple[tuple[str, str], ...]:
    with translation.override(language):
        named = [(country.code, str(country.name)) for country in countries]
    return tuple(sorted(named, key=lambda pair: _sort_key(pair[1])))


def country_choices(language: str | None = None) -> Choices:
    """``(ISO 3166-1 alpha-2, name)`` of every country, sorted by name in the language."""
    return list(_countries(pick_language(language)))


def country_name(code: str, language: str | None = None) -> str:
    return dict(_countries(pick_language(language))).get(code.upper(), code)


def region_for(country_code: str, *, split_americas: bool = True) -> str:
    """The UN M49 region code of a country, or "" when it has none (Antarctica).

    Regions: Africa 002, Asia 142, Europe 150, Oceania 009, and for the
    Americas Latin America and the Caribbean 419 and Northern America 021 —
    or the Americas 019 with ``split_americas=False``.
    """
    region = regions.COUNTRY_REGION.get(country_code.upper(), "")
    if not split_americas and region in (
        regions.LATIN_AMERICA_CARIBBEAN,
        regions.NORTHERN_AMERICA,
    ):
        return regions.AMERICAS
    return region


def region_label(region_code: str, language: str | None = None) -> str:
    """The region's UN name in the language; an unknown code is returned as it is."""
    names = regions.REGION_NAMES.get(region_code)
    if names is None:
        return region_code
    return names[pick_language(language)]


def region_choices(language: str | None = None, *, split_americas: bool = True) -> Choices:
    codes = _SPLIT_REGIONS if split_americas else _MAIN_REGIONS
    return [(code, region_label(code, language)) for code in codes]


# --- States Parties ------------------------------------------------------------


def states_parties_on(day: datetime.date) -> frozenset[str]:
    """ISO codes of the States for which the Rome Statute is in force on ``day``."""

    def load() -> frozenset[str]:
        return frozenset(
            str(code)
            for code in StateParty.objects.parties_on(day).values_list("country", flat=True)
        )

    return _memoised(("parties", day.isoformat()), load)


# --- Assembly sessions ------------------------------------------------------------


def _sessions() -> tuple[tuple[str, dict[str, str]], ...]:
    def load() -> tuple[tuple[str, dict[str, str]], ...]:
        from amparo.reference.models import AssemblySession

        return tuple(
            (s.code, {code: s.title(code) for code in LANGUAGE_CODES})
            for s in AssemblySession.objects.order_by("-start")
        )

    return _memoised(("sessions",), load)


def session_choices(language: str | None = None) -> Choices:
    """``(code, title)`` of every Assembly session, the latest first."""
    lang = pick_language(language)
    return [(code, titles[lang]) for code, titles in _sessions()]


def session_title(code: str, language: str | None = None) -> str:
    return dict(session_choices(language)).get(code, code)
