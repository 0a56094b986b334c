"""The questionnaire at run time: which version is current, its texts in a
language, and a report's answers labelled for reading.

Reports store their answers as ``{question id: value}`` and the version
they were answered with; ``labelled_answers`` turns them back into what the
reporter saw, for the reporter's own page and for the desk.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import formats
from django.utils.translation import get_language

from amparo.intake.models import Questionnaire
from amparo.lib import process_cache
from amparo.reference import api as reference

# Every version shipped as a file (each loaded by its own data migration);
# the last one is what a fresh installation uses.
SHIPPED_VERSIONS = ("2026-1", "2026-2")
SHIPPED_VERSION = SHIPPED_VERSIONS[-1]
DATA_DIR = Path(__file__).resolve().parent / "data"

Definition = dict[str, Any]


@cache
def shipped_definition(version: str = SHIPPED_VERSION) -> Definition:
    """A definition that ships with the app (loaded by a data migration)."""
    path = DATA_DIR / f"questionnaire-{version}.json"
    definition: Definition = json.loads(path.read_text(encoding="utf-8"))
    return definition


def current() -> Definition:
    """The definition new reports are answered with (kept per process: callers must
    not change it)."""
    return process_cache.remember(("questionnaire", "current"), _current)


def _current() -> Definition:
    row = Questionnaire.objects.filter(is_current=True).only("definition").first()
    if row is None:  # not migrated yet, or no version marked current
        return shipped_definition()
    definition: Definition = row.definition
    return definition


def by_version(version: str) -> Definition | None:
    """That version's definition (kept per process: callers must not change it)."""
    return process_cache.remember(("questionnaire", version), lambda: _by_version(version))


def _by_version(version: str) -> Definition | None:
    row = Questionnaire.objects.filter(version=version).only("definition").first()
    if row is not None:
        definition: Definition = row.definition
        return definition
    if version in SHIPPED_VERSIONS:
        return shipped_definition(version)
    return None


def language_code(language: str | None = None) -> str:
    code = (language or get_language() or "en").split("-")[0]
    return code if code in ("en", "fr", "es", "ar") else "en"


def tr(text: dict[str, str] | None, language: str | None = None) -> str:
    """A definition's text in the language, falling back to English."""
    if not text:
        return ""
    return text.get(language_code(language)) or text.get("en", "")


def questions(definition: Definition) -> list[dict[str, Any]]:
    """The full form's questions."""
    return [q for section in definition["sections"] for q in section["questions"]]


def urgent_block(definition: Definition | None) -> dict[str, Any] | None:
    """The short form for "I am in immediate danger", if the version has one."""
    block: dict[str, Any] | None = (definition or {}).get("urgent")
    return block


def all_sections(definition: Definition) -> list[dict[str, Any]]:
    """The urgent block's questions first (what was said in danger), then the full form's."""
    block = urgent_block(definition)
    return ([block] if block else []) + list(definition["sections"])


def consent_wording_version(definition: Definition, scope: str) -> str:
    """What a recorded consent points back to: the exact wording shown."""
    return f"questionnaire-{definition['version']}/{scope}"


def format_when(value: str, language: str | None = None) -> str:
    """ "2026", "2026-03" or "2026-03-14" in the reader's language."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    day = datetime.date(parts[0], parts[1], parts[2] if len(parts) == 3 else 1)
    fmt = "DATE_FORMAT" if len(parts) == 3 else "YEAR_MONTH_FORMAT"
    return formats.date_format(day, fmt, use_l10n=True)


@dataclass
class LabelledAnswer:
    question_id: str
    label: str
    value: str  # for display; "" when unanswered
    long: bool = False  # a free-text answer: keep its line breaks


@dataclass
class LabelledSection:
    title: str
    answers: list[LabelledAnswer]

    @property
    def answered(self) -> list[LabelledAnswer]:
        return [answer for answer in self.answers if answer.value]


def _display(question: dict[str, Any], value: Any, lang: str) -> str:
    kind = question["type"]
    if value in (None, "", []):
        return ""
    if kind in ("choice", "multichoice"):
        labels = {o["value"]: tr(o["label"], lang) for o in question["options"]}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    if kind == "vocabulary":
        values = value if isinstance(value, list) else [value]
        return ", ".join(reference.term_label(question["list"], v, lang) for v in values)
    if kind == "country":
        return reference.country_name(str(value), lang)
    if kind == "when":
        try:
            return format_when(str(value), lang)
        except (ValueError, TypeError):
            return str(value)
    return str(value)


def labelled_answers(
    version: str, answers: dict[str, Any], language: str | None = None
) -> list[LabelledSection]:
    """The answers in the order and words of the version they were given with.

    Answers to questions the version does not know (should never happen) are
    listed at the end under their ids rather than dropped.
    """
    lang = language_code(language)
    definition = by_version(version)
    known: set[str] = set()
    result: list[LabelledSection] = []
    if definition is not None:
        for section in all_sections(definition):
            rows = []
            for question in section["questions"]:
                known.add(question["id"])
                rows.append(
                    LabelledAnswer(
                        question_id=question["id"],
                        label=tr(question["label"], lang),
                        value=_display(question, answers.get(question["id"]), lang),
                        long=question["type"] == "textarea",
                    )
                )
            result.append(LabelledSection(title=tr(section["title"], lang), answers=rows))
    extra = [
        LabelledAnswer(question_id=key, label=key, value=str(value), long=True)
        for key, value in answers.items()
        if key not in known
    ]
    if extra:
        result.append(LabelledSection(title="", answers=extra))
    return result
