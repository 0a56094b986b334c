"""The reporter's answers, labelled for reading at the desk, and the form a
handler fills in to enter a report on someone's behalf.

Both follow the questionnaire version the answers were given with when
``amparo.intake``, which keeps the questionnaires, can describe it (through
the hooks in amparo/cases/hooks.py, which intake provides); otherwise the
answers are shown as readable key/value pairs, so a case is never unreadable
because its questionnaire is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _

from amparo.cases import hooks
from amparo.reference import api as reference

#: The version recorded for a case entered with the fallback form.
DESK_ENTRY_VERSION = "desk-entry-1"
DESK_ENTRY_LABELS = {
    "what_happened": _("What happened"),
    "name": _("Who reported it"),
    "contact": _("How to reach them safely"),
}


@dataclass
class Row:
    label: str
    value: str
    long: bool = False


@dataclass
class Section:
    title: str
    rows: list[Row]


def _humanise(key: str) -> str:
    return re.sub(r"[_\-]+", " ", str(key)).strip().capitalize() or str(key)


def _label(key: str) -> str:
    return str(DESK_ENTRY_LABELS.get(key, _humanise(key)))


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("Yes")) if value else str(_("No"))
    if isinstance(value, list | tuple):
        return ", ".join(_plain(item) for item in value if item not in (None, ""))
    if isinstance(value, dict):
        return "; ".join(f"{_humanise(k)}: {_plain(v)}" for k, v in value.items())
    return str(value)


def labelled(version: str, answers: Any) -> list[Section]:
    """The answers as titled sections of label/value rows, in the reader's language."""
    if not isinstance(answers, dict):
        return [Section("", [Row(str(_("Answers")), _plain(answers), long=True)])]
    if hooks.labelled_answers.provided and version != DESK_ENTRY_VERSION:
        try:
            # A savepoint: if the questionnaire store cannot be read, the
            # request's transaction stays usable and the plain rows are shown.
            with transaction.atomic():
                sections = hooks.labelled_answers(version, answers)
        except (LookupError, KeyError, TypeError, ValueError, DatabaseError):
            sections = None
        if sections:
            return [
                Section(
                    section.title,
                    [
                        # A question the version does not know comes back
                        # labelled with its id: give it a readable label.
                        Row(
                            _label(a.label) if a.label == a.question_id else a.label,
                            a.value,
                            a.long,
                        )
                        for a in section.answers
                        if a.value
                    ],
                )
                for section in sections
                if any(a.value for a in section.answers)
            ]
    rows = [
        Row(
            _label(key),
            _plain(value),
            long=isinstance(value, str) and (len(value) > 80 or "\n" in value),
        )
        for key, value in answers.items()
        if value not in (None, "", [], {})
    ]
    return [Section("", rows)]


# --- Entering a report on someone's behalf ---------------------------------------


def current_definition() -> dict[str, Any] | None:
    if not hooks.current_questionnaire.provided:
        return None
    try:
        with transaction.atomic():
            definition: dict[str, Any] = hooks.current_questionnaire()
    except DatabaseError:
        return None
    return definition


WHEN_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _question_field(question: dict[str, Any], tr: Any) -> forms.Field:
    """A form field for one question. Everything is optional at the desk: a
    phone call rarely answers every question, and a gap is better than a guess."""
    label = tr(question.get("label"))
    help_text = tr(question.get("help"))
    kind = question["type"]
    if kind in ("choice", "multichoice"):
        options = [(o["value"], tr(o["label"])) for o in question.get("options", [])]
        if kind == "choice":
            return forms.ChoiceField(
                label=label, help_text=help_text, required=False, choices=[("", "—"), *options]
            )
        return forms.MultipleChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=options,
            widget=forms.CheckboxSelectMultiple,
        )
    if kind == "vocabulary":
        return forms.MultipleChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=reference.choices(question["list"]),
            widget=forms.CheckboxSelectMultiple,
        )
    if kind == "country":
        return forms.ChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=[("", "—"), *reference.country_choices()],
        )
    if kind == "when":
        return forms.RegexField(
            regex=WHEN_RE,
            label=label,
            help_text=help_text
            or _("A year, a year and month, or a date: 2026, 2026-03, 2026-03-14."),
            required=False,
            max_length=10,
            error_messages={"invalid": _("Write 2026, 2026-03 or 2026-03-14.")},
            widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD"}),
        )
    widget = forms.Textarea(attrs={"rows": 6}) if kind == "textarea" else forms.TextInput
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        strip=False,
        max_length=question.get("max_length") or (10_000 if kind == "textarea" else 200),
        widget=widget,
    )


def answer_fields(definition: dict[str, Any] | None) -> tuple[str, list[tuple[str, forms.Field]]]:
    """The questionnaire version and its questions as (id, field) pairs."""
    if definition is None or not hooks.questionnaire_text.provided:
        return DESK_ENTRY_VERSION, [
            (
                "what_happened",
                forms.CharField(
                    label=DESK_ENTRY_LABELS["what_happened"],
                    strip=False,
                    required=False,
                    max_length=10_000,
                    widget=forms.Textarea(attrs={"rows": 10}),
                ),
            ),
            ("name", forms.CharField(label=DESK_ENTRY_LABELS["name"], required=False)),
            (
                "contact",
                forms.CharField(
                    label=DESK_ENTRY_LABELS["contact"],
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                ),
            ),
        ]
    fields = [
        (question["id"], _question_field(question, hooks.questionnaire_text))
        for section in definition["sections"]
        for question in section["questions"]
    ]
    return str(definition["version"]), fields
