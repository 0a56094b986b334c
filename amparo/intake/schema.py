"""The shape a questionnaire definition must have, checked before it is saved.

A definition is plain JSON (see docs/intake.md and the shipped
``data/questionnaire-2026-2.json``). ``definition_errors`` returns every
problem it finds, each naming the place in the document, so an
administrator can fix a new version in one go. Unknown keys are errors
too: a typo such as "requird" must not silently make a question optional.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils.translation import gettext as _

LANGUAGES = ("en", "fr", "es", "ar")
QUESTION_TYPES = ("text", "textarea", "choice", "multichoice", "vocabulary", "country", "when")
CONSENT_SCOPES = ("store", "contact", "statistics")
# Form field names the report form uses for itself.
RESERVED_NAMES = frozenset({"urgent", "files", "website", "form_token", "csrfmiddlewaretoken"})
WHEN_PARTS = ("day", "month", "year")

VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_DEFINITION_BYTES = 200_000
MAX_SECTIONS = 20
MAX_QUESTIONS = 100
MAX_OPTIONS = 60
# The urgent form must stay short: it is filled in by someone in danger.
MAX_SECTION_QUESTIONS_URGENT = 6
MAX_TEXT_CHARS = 5000
MAX_ANSWER_CHARS = 20000
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 10000}


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def mapping(
        self,
        value: Any,
        path: str,
        required: set[str],
        optional: frozenset[str] | set[str] = frozenset(),
    ) -> bool:
        if not isinstance(value, dict):
            self.add(path, _("must be an object ({…})"))
            return False
        for key in sorted(required - value.keys()):
            self.add(f"{path}.{key}", _("is missing"))
        for key in sorted(value.keys() - required - optional):
            self.add(f"{path}.{key}", _("is not a known key"))
        return True

    def text(self, value: Any, path: str) -> None:
        """A text in each of the four languages."""
        if not isinstance(value, dict):
            self.add(path, _("must give the text in English, French, Spanish and Arabic"))
            return
        for lang in LANGUAGES:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.add(f"{path}.{lang}", _("is missing or empty"))
            elif len(text) > MAX_TEXT_CHARS:
                self.add(f"{path}.{lang}", _("is too long"))
        for key in sorted(set(value) - set(LANGUAGES)):
            self.add(f"{path}.{key}", _("is not one of the languages en, fr, es, ar"))

    def identifier(self, value: Any, path: str) -> bool:
        if not isinstance(value, str) or not ID_RE.match(value):
            self.add(
                path,
                _("must be lower-case letters, digits and underscores, starting with a letter"),
            )
            return False
        return True

    def boolean(self, value: Any, path: str) -> None:
        if not isinstance(value, bool):
            self.add(path, _("must be true or false"))


def definition_errors(definition: Any, *, known_lists: set[str] | None = None) -> list[str]:
    """Every problem in ``definition``; an empty list means it can be saved.

    ``known_lists`` are the reference lists a "vocabulary" question may name;
    None skips that check.
    """
    check = _Checker()
    if len(json.dumps(definition, ensure_ascii=False).encode()) > MAX_DEFINITION_BYTES:
        check.add("$", _("the definition is too large"))
        return check.errors
    if not check.mapping(definition, "$", {"version", "title", "consent", "sections"}, {"urgent"}):
        return check.errors
    version = definition.get("version")
    if not isinstance(version, str) or not VERSION_RE.match(version):
        check.add(
            "$.version",
            _("must be 1 to 40 letters, digits, dots, dashes or underscores"),
        )
    if "title" in definition:
        check.text(definition["title"], "$.title")
    if "consent" in definition:
        _check_consent(check, definition["consent"])
    field_names: set[str] = set(RESERVED_NAMES)
    if "sections" in definition:
        _check_sections(check, definition["sections"], known_lists, field_names)
    if "urgent" in definition:
        _check_urgent(
            check, definition["urgent"], definition.get("consent"), known_lists, field_names
        )
    return check.errors


def _check_urgent(
    check: _Checker,
    urgent: Any,
    consent: Any,
    known_lists: set[str] | None,
    field_names: set[str],
) -> None:
    """The short form of "I am in immediate danger": a few questions of its
    own (ids distinct from the full form's, since a report answered urgently
    is completed later with the full form) and the consent choices it shows."""
    path = "$.urgent"
    if not check.mapping(urgent, path, {"id", "title", "questions", "consent"}, {"intro"}):
        return
    check.identifier(urgent.get("id"), f"{path}.id")
    if "title" in urgent:
        check.text(urgent["title"], f"{path}.title")
    if "intro" in urgent:
        check.text(urgent["intro"], f"{path}.intro")
    scopes = urgent.get("consent")
    offered = {
        choice.get("scope")
        for choice in (consent or {}).get("choices", [])
        if isinstance(consent, dict) and isinstance(choice, dict)
    }
    if not isinstance(scopes, list) or "store" not in scopes:
        check.add(f"{path}.consent", _("must include the consent to store the report"))
    else:
        for index, scope in enumerate(scopes):
            if scope not in offered:
                check.add(f"{path}.consent[{index}]", _("is not one of the consent choices"))
    questions = urgent.get("questions")
    if not isinstance(questions, list) or not questions:
        check.add(f"{path}.questions", _("must be a non-empty list"))
        return
    if len(questions) > MAX_SECTION_QUESTIONS_URGENT:
        check.add(f"{path}.questions", _("has too many questions"))
        return
    for index, question in enumerate(questions):
        _check_question(check, question, f"{path}.questions[{index}]", field_names, known_lists)


def _check_consent(check: _Checker, consent: Any) -> None:
    if not check.mapping(consent, "$.consent", {"intro", "choices"}):
        return
    if "intro" in consent:
        check.text(consent["intro"], "$.consent.intro")
    choices = consent.get("choices")
    if not isinstance(choices, list) or not choices:
        check.add("$.consent.choices", _("must be a non-empty list"))
        return
    seen: set[str] = set()
    for index, choice in enumerate(choices):
        path = f"$.consent.choices[{index}]"
        if not check.mapping(choice, path, {"scope", "required", "label"}, {"help"}):
            continue
        scope = choice.get("scope")
        if scope not in CONSENT_SCOPES:
            check.add(f"{path}.scope", _("must be one of store, contact, statistics"))
        elif scope in seen:
            check.add(f"{path}.scope", _("appears twice"))
        else:
            seen.add(scope)
        if "required" in choice:
            check.boolean(choice["required"], f"{path}.required")
        if scope == "store" and choice.get("required") is not True:
            # Without it the desk may not keep the report at all.
            check.add(f"{path}.required", _("the consent to store the report must be required"))
        if "label" in choice:
            check.text(choice["label"], f"{path}.label")
        if "help" in choice:
            check.text(choice["help"], f"{path}.help")
    if "store" not in seen:
        check.add("$.consent.choices", _("must include the consent to store the report"))


def _check_sections(
    check: _Checker, sections: Any, known_lists: set[str] | None, field_names: set[str]
) -> None:
    if not isinstance(sections, list) or not sections:
        check.add("$.sections", _("must be a non-empty list"))
        return
    if len(sections) > MAX_SECTIONS:
        check.add("$.sections", _("has too many sections"))
        return
    section_ids: set[str] = set()
    count = 0
    for s_index, section in enumerate(sections):
        path = f"$.sections[{s_index}]"
        if not check.mapping(section, path, {"id", "title", "questions"}, {"intro"}):
            continue
        if check.identifier(section.get("id"), f"{path}.id"):
            if section["id"] in section_ids:
                check.add(f"{path}.id", _("appears twice"))
            section_ids.add(section["id"])
        if "title" in section:
            check.text(section["title"], f"{path}.title")
        if "intro" in section:
            check.text(section["intro"], f"{path}.intro")
        questions = section.get("questions")
        if not isinstance(questions, list) or not questions:
            check.add(f"{path}.questions", _("must be a non-empty list"))
            continue
        for q_index, question in enumerate(questions):
            count += 1
            _check_question(
                check, question, f"{path}.questions[{q_index}]", field_names, known_lists
            )
    if count > MAX_QUESTIONS:
        check.add("$.sections", _("has too many questions"))


def _check_question(
    check: _Checker,
    question: Any,
    path: str,
    field_names: set[str],
    known_lists: set[str] | None,
) -> None:
    optional = {"help", "required", "max_length", "options", "list", "list_version"}
    if not check.mapping(question, path, {"id", "type", "label"}, optional):
        return
    kind = question.get("type")
    if kind not in QUESTION_TYPES:
        check.add(
            f"{path}.type", _("must be one of %(types)s") % {"types": ", ".join(QUESTION_TYPES)}
        )
        kind = None
    if check.identifier(question.get("id"), f"{path}.id"):
        names = (
            [f"{question['id']}_{part}" for part in WHEN_PARTS]
            if kind == "when"
            else [question["id"]]
        )
        for name in names:
            if name in field_names or question["id"] in field_names:
                check.add(f"{path}.id", _("is used twice or is reserved"))
                break
        field_names.update(names)
        field_names.add(question["id"])
    if "label" in question:
        check.text(question["label"], f"{path}.label")
    if "help" in question:
        check.text(question["help"], f"{path}.help")
    if "required" in question:
        check.boolean(question["required"], f"{path}.required")
    if "max_length" in question:
        limit = question["max_length"]
        if kind not in ("text", "textarea"):
            check.add(f"{path}.max_length", _("only applies to text and textarea questions"))
        elif (
            not isinstance(limit, int)
            or isinstance(limit, bool)
            or not 1 <= limit <= MAX_ANSWER_CHARS
        ):
            check.add(
                f"{path}.max_length",
                _("must be a whole number from 1 to %(max)d") % {"max": MAX_ANSWER_CHARS},
            )
    if kind in ("choice", "multichoice"):
        _check_options(check, question.get("options"), f"{path}.options")
    elif "options" in question:
        check.add(f"{path}.options", _("only applies to choice and multichoice questions"))
    if kind == "vocabulary":
        code = question.get("list")
        if not isinstance(code, str) or not code:
            check.add(f"{path}.list", _("must name a reference list"))
        elif known_lists is not None and code not in known_lists:
            check.add(f"{path}.list", _("is not a known reference list"))
        pinned = question.get("list_version")
        if pinned is not None and (
            not isinstance(pinned, int) or isinstance(pinned, bool) or pinned < 1
        ):
            check.add(f"{path}.list_version", _("must be a whole number from 1"))
    elif "list" in question or "list_version" in question:
        check.add(f"{path}.list", _("only applies to vocabulary questions"))


def _check_options(check: _Checker, options: Any, path: str) -> None:
    if not isinstance(options, list) or not options:
        check.add(path, _("must be a non-empty list"))
        return
    if len(options) > MAX_OPTIONS:
        check.add(path, _("has too many options"))
        return
    values: set[str] = set()
    for index, option in enumerate(options):
        item = f"{path}[{index}]"
        if not check.mapping(option, item, {"value", "label"}):
            continue
        if check.identifier(option.get("value"), f"{item}.value"):
            if option["value"] in values:
                check.add(f"{item}.value", _("appears twice"))
            values.add(option["value"])
        if "label" in option:
            check.text(option["label"], f"{item}.label")
