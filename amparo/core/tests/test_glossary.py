# ruff: noqa: RUF001  (this file is about typography: apostrophes, point-médian, Arabic commas)
"""The terms of ../shared/GLOSSARY.md (docs/translation.md), enforced over every catalog.

What a defender reads must not confuse the desk with an organ of the Court
or the Assembly, must not suggest going to the authorities, and must not use
surveillance words about the site to people who may be watched. French
typography and Arabic punctuation are checked where they apply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest

AMPARO = Path(__file__).resolve().parents[2]
CATALOGS = sorted(AMPARO.glob("*/locale/*/LC_MESSAGES/django.po"))
# Apps whose text a reporter reads (the others are staff pages).
PUBLIC_APPS = {"core", "intake"}

# Words that name an organ of the Court or the Assembly, never the desk. The
# organs themselves keep their names (GLOSSARY: Bureau du Procureur, Bureau de
# l'Assemblée, Fiscalía, Mesa de la Asamblea, مكتب المدعي العام, مكتب الجمعية).
FORBIDDEN: dict[str, list[tuple[str, str]]] = {
    "fr": [
        (r"\b[Bb]ureaux?\b(?! (du Procureur|de l[’']Assemblée))", "the desk is « l’équipe »"),
        (r"\w·\w", "no point-médian: write both forms or rephrase"),
        (r"\bsurveillée?s?\b", "the site is « suivi », never « surveillé »"),
        (r"\bFermer mon signalement\b", "“Leave this page” is « Quitter cette page »"),
    ],
    "es": [
        (r"\b[Oo]ficinas?\b", "the desk is «el equipo»"),
        (r"\b[Dd]enunci", "a report is an «informe», never a «denuncia»"),
        (r"\b[Vv]igila(do|da|dos|das|r)?\b", "the site «se atiende», never «se vigila»"),
    ],
    "ar": [
        (
            r"(?<![\u0621-\u064A])(ال|لل|بال)?مكتب(?![\u0621-\u064A])(?! (المدعي العام|الجمعية))",
            "the desk is «الفريق»",
        ),
        (r"[\u0621-\u064A]\s*,|,\s*[\u0621-\u064A]", "Arabic text takes «،», not «,»"),
        (r"(?<!إ)سبانيا", "Spain is «إسبانيا»"),
        (r"إبريل", "April is «أبريل»"),
    ],
}
# Surveillance words only where a reporter reads about the site itself:
# the reference lists rightly name "surveillance" as a kind of reprisal.
FORBIDDEN_PUBLIC: dict[str, list[tuple[str, str]]] = {
    "fr": [(r"\bsurveill", "« suivi », never « surveillé »")],
    "es": [(r"\bvigil", "«se atiende», never «vigilar»")],
    "ar": [(r"مراقب", "«يُتابَع», never «مراقبة»")],
}
# French typography: a no-break space (U+00A0 or U+202F) before « : ; ? ! ».
FRENCH_SPACING = re.compile(r"(?<![\u00a0\u202f])(?<!^)(?<![:/%\d])([;:?!])(?=\s|$|»|\))")


def _strings(entry: polib.POEntry) -> Iterator[str]:
    if entry.msgstr:
        yield entry.msgstr
    yield from (text for text in entry.msgstr_plural.values() if text)


def _catalog_id(path: Path) -> str:
    return f"{path.parts[-5]}/{path.parts[-3]}"


def _problems(text: str, lang: str, public: bool) -> list[str]:
    found = []
    rules = FORBIDDEN.get(lang, []) + (FORBIDDEN_PUBLIC.get(lang, []) if public else [])
    for pattern, why in rules:
        match = re.search(pattern, text)
        if match:
            found.append(f"{why}: …{text[max(0, match.start() - 30) : match.end() + 30]}…")
    if lang == "fr":
        for match in FRENCH_SPACING.finditer(text):
            found.append(
                "French puts a no-break space before « : ; ? ! »: "
                f"…{text[max(0, match.start() - 30) : match.end() + 10]}…"
            )
    return found


@pytest.mark.parametrize("path", CATALOGS, ids=_catalog_id)
def test_it_uses_the_glossary_terms_in_every_catalog(path: Path) -> None:
    app, lang = path.parts[-5], path.parts[-3]
    if lang not in FORBIDDEN:
        pytest.skip("English source")
    problems = [
        f"{entry.msgid[:60]!r}: {problem}"
        for entry in polib.pofile(str(path))
        if not entry.obsolete
        for text in _strings(entry)
        for problem in _problems(text, lang, app in PUBLIC_APPS)
    ]
    assert not problems, "\n".join(problems)


def _data_texts() -> Iterator[tuple[str, str, str]]:
    """Every translated text of the shipped desk texts and questionnaires."""

    def walk(node: object, where: str) -> Iterator[tuple[str, str, str]]:
        if isinstance(node, dict):
            if set(node) >= {"en", "fr", "es", "ar"} and all(
                isinstance(v, str) for v in node.values()
            ):
                for lang in ("fr", "es", "ar"):
                    yield where, lang, node[lang]
                return
            for key, value in node.items():
                yield from walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{where}[{index}]")

    data = AMPARO / "intake" / "data"
    yield from walk(json.loads((data / "desk-texts.json").read_text("utf-8")), "desk-texts")
    for path in sorted(data.glob("questionnaire-*.json")):
        if path.stem == "questionnaire-2026-1":
            continue  # kept as it was: reports answered with it point at its exact wording
        yield from walk(json.loads(path.read_text("utf-8")), path.stem)


def test_it_uses_the_glossary_terms_in_the_shipped_texts() -> None:
    problems = [
        f"{where} ({lang}): {problem}"
        for where, lang, text in _data_texts()
        for problem in _problems(text, lang, public=True)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "lang", "public"),
    [
        ("Écrire au bureau", "fr", False),
        ("Pour un·e collègue", "fr", False),
        ("Notez-le : c’est tout", "fr", False),
        ("Êtes-vous en sécurité ?", "fr", False),
        ("Ce site n’est pas surveillé", "fr", True),
        ("Su denuncia se cifra", "es", False),
        ("Escribir a la oficina", "es", False),
        ("الكتابة إلى المكتب", "ar", False),
        ("الصور, المستندات", "ar", False),
        ("30 إبريل 2026", "ar", False),
        ("أسبانيا", "ar", False),
    ],
)
def test_it_catches_each_kind_of_mistake(text: str, lang: str, public: bool) -> None:
    assert _problems(text, lang, public)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Le Bureau du Procureur et le Bureau de l’Assemblée", "fr"),
        ("Écrire à l’équipe\u00a0: c’est tout\u00a0!", "fr"),
        ("https://example.org/ à 10:30", "fr"),
        ("La Fiscalía y la Mesa de la Asamblea; escriba al equipo", "es"),
        ("مكتب المدعي العام ومكتب الجمعية، والمستندات المكتبية", "ar"),
    ],
)
def test_it_leaves_the_right_words_alone(text: str, lang: str) -> None:
    assert _problems(text, lang, public=True) == []
