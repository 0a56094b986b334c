"""The report form, built from a questionnaire definition, and the small
forms around it (follow-up code, reporter's message, administrators' pages).

Nothing here stores anything. Limits are checked on the server only: no
``maxlength`` attribute, because a browser silently cuts pasted text at it,
and a person must never lose what they wrote without being told.
"""

from __future__ import annotations

import copy
import datetime
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core import signing
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from amparo.intake import questionnaire as q
from amparo.intake.desk_texts import Key
from amparo.intake.schema import DEFAULT_MAX_LENGTH, definition_errors
from amparo.lib import process_cache
from amparo.reference import api as reference

TOKEN_SALT = "amparo.intake.report-form"  # noqa: S105  a signing namespace, not a secret
EARLIEST_YEAR = 1900
MESSAGE_MAX_CHARS = 20000


# --- The one-time form token ---------------------------------------------------


def make_token(version: str) -> str:
    """A signed token naming a fresh nonce and the questionnaire version shown."""
    return signing.dumps({"n": secrets.token_hex(16), "v": version}, salt=TOKEN_SALT)


def read_token(value: str, max_age_seconds: int) -> dict[str, str] | None:
    """The token's content, or None when it is missing, forged or expired."""
    try:
        data = signing.loads(value or "", salt=TOKEN_SALT, max_age=max_age_seconds)
    except signing.BadSignature:  # SignatureExpired is a subclass
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        return None
    return data


# --- The report form -------------------------------------------------------------


def _own_copy(prototype: forms.Field) -> forms.Field:
    """A form's own copy of a shared field, as Django's deepcopy of a form's fields makes
    it (own widget and attributes, error messages, validators) except that the choices
    are shared: they are never changed after the build, and copying the 250 countries
    cost more than the rest of the form."""
    field = copy.copy(prototype)
    field.widget = copy.copy(prototype.widget)
    field.widget.attrs = prototype.widget.attrs.copy()
    field.error_messages = prototype.error_messages.copy()
    field.validators = prototype.validators[:]
    return field


class NoMaxLengthTextInput(forms.TextInput):
    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("maxlength", None)
        return context


class NoMaxLengthTextarea(forms.Textarea):
    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("maxlength", None)
        return context


class PlainSelect(forms.Select):
    """A select whose options are written in Python rather than one template
    each: the country list has 250 of them, and every reporter loads it."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


@dataclass
class Question:
    """One question, ready for the template."""

    id: str
    kind: str
    label: str
    required: bool
    fields: list[forms.BoundField]
    help: str = ""

    @property
    def field(self) -> forms.BoundField:
        return self.fields[0]

    @property
    def uses_fieldset(self) -> bool:
        return self.kind in ("choice", "multichoice", "vocabulary", "when")


@dataclass
class Section:
    id: str
    title: str
    intro: str
    questions: list[Question] = field(default_factory=list)


class ReportForm(forms.Form):
    """Consent, urgency, the questionnaire's questions, a honeypot and the token.

    Files are checked separately (they arrive through the encrypted upload
    handler); see ``views.report``.
    """

    urgent = forms.BooleanField(
        required=False,
        label=gettext_lazy("I am in immediate danger"),
        help_text=gettext_lazy(
            "Tick this if you or someone you report for is in danger now. Your report will be "
            "marked urgent and you will see emergency contacts."
        ),
    )
    # The honeypot: hidden from people by the stylesheet and from assistive
    # technology by aria-hidden; only form-filling robots fill it in.
    website = forms.CharField(
        required=False,
        label=gettext_lazy("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    form_token = forms.CharField(widget=forms.HiddenInput)

    FULL = "full"
    URGENT = "urgent"  # the short form of "I am in immediate danger"
    COMPLETE = "complete"  # the full form, later, for a report sent urgently

    def __init__(
        self,
        definition: q.Definition,
        language: str,
        *args: Any,
        mode: str = FULL,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.language = language
        self.mode = mode
        block = q.urgent_block(definition)
        if mode == self.URGENT and block is None:
            raise ValueError(f"questionnaire {definition['version']} has no urgent form")
        self.section_defs: list[dict[str, Any]] = (
            [block] if mode == self.URGENT and block else list(definition["sections"])
        )
        self.question_defs = [qn for section in self.section_defs for qn in section["questions"]]
        choices = definition["consent"]["choices"]
        if mode == self.URGENT and block:
            choices = [choice for choice in choices if choice["scope"] in block["consent"]]
        elif mode == self.COMPLETE:
            choices = []  # given with the urgent form; changed on the follow-up page
        if mode != self.FULL:
            # Urgency is known; the complete form belongs to a report already made.
            del self.fields["urgent"]
        if mode == self.COMPLETE:
            del self.fields["form_token"]
        self.consent_choices = choices
        # The consent and question fields are the same for every reporter: built once per
        # process, version, language and mode (a build normalises the 250 countries and
        # every list's choices), then each form gets its own light copy of them.
        built = process_cache.remember(
            ("report-form-fields", definition["version"], language, mode, get_language()),
            self._question_fields,
        )
        for name, prototype in built.items():
            self.fields[name] = _own_copy(prototype)

    # Building ----------------------------------------------------------------

    def _question_fields(self) -> dict[str, forms.Field]:
        fields: dict[str, forms.Field] = {}
        for choice in self.consent_choices:
            fields[f"consent_{choice['scope']}"] = forms.BooleanField(
                required=choice["required"],
                label=q.tr(choice["label"], self.language),
                help_text=q.tr(choice.get("help"), self.language),
                error_messages={
                    "required": _("You need to agree to this for the desk to keep your report.")
                },
            )
        for question in self.question_defs:
            self._add_question(fields, question)
        return fields

    def _add_question(self, fields: dict[str, forms.Field], question: dict[str, Any]) -> None:
        lang = self.language
        kind = question["type"]
        common: dict[str, Any] = {
            "required": question.get("required", False),
            "label": q.tr(question["label"], lang),
            "help_text": q.tr(question.get("help"), lang),
            "error_messages": {"required": _("Please answer this question.")},
        }
        name = question["id"]
        if kind in ("text", "textarea"):
            limit = question.get("max_length", DEFAULT_MAX_LENGTH[kind])
            widget = (
                NoMaxLengthTextarea(attrs={"rows": 8 if limit > 2000 else 4})
                if kind == "textarea"
                else NoMaxLengthTextInput()
            )
            common["error_messages"]["max_length"] = _(
                "Please shorten this to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            )
            fields[name] = forms.CharField(max_length=limit, widget=widget, **common)
        elif kind == "choice":
            options = [(o["value"], q.tr(o["label"], lang)) for o in question["options"]]
            fields[name] = forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
        elif kind in ("multichoice", "vocabulary"):
            if kind == "vocabulary":
                # A version pinned by the questionnaire offers that version's
                # terms: the report keeps the vocabulary it was answered with.
                options = reference.choices(
                    question["list"], language=lang, version=question.get("list_version")
                )
            else:
                options = [(o["value"], q.tr(o["label"], lang)) for o in question["options"]]
            fields[name] = forms.MultipleChoiceField(
                choices=options, widget=forms.CheckboxSelectMultiple, **common
            )
        elif kind == "country":
            common["error_messages"]["invalid_choice"] = _("Please choose a country from the list.")
            fields[name] = forms.ChoiceField(
                choices=[("", _("Choose a country")), *reference.country_choices(lang)],
                widget=PlainSelect,
                **common,
            )
        elif kind == "when":
            self._add_when(fields, name, common)

    def _add_when(self, fields: dict[str, forms.Field], name: str, common: dict[str, Any]) -> None:
        required = common["required"]
        fields[f"{name}_day"] = forms.TypedChoiceField(
            required=False,
            label=_("Day"),
            choices=[("", _("Day (if known)"))] + [(str(d), str(d)) for d in range(1, 32)],
            widget=PlainSelect,
            coerce=int,
            empty_value=None,
        )
        fields[f"{name}_month"] = forms.TypedChoiceField(
            required=False,
            label=_("Month"),
            choices=[("", _("Month (if known)"))] + [(str(m), str(n)) for m, n in MONTHS.items()],
            widget=PlainSelect,
            coerce=int,
            empty_value=None,
        )
        fields[f"{name}_year"] = forms.IntegerField(
            required=required,
            label=_("Year"),
            error_messages={
                "required": _("Please give at least the year."),
                "invalid": _("Please write the year with four digits, for example 2025."),
            },
            widget=forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "size": "6"}
            ),
        )

    # Checking ------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for question in self.question_defs:
            if question["type"] == "when":
                self._clean_when(question["id"], cleaned)
        return cleaned

    def _clean_when(self, name: str, cleaned: dict[str, Any]) -> None:
        day = cleaned.get(f"{name}_day")
        month = cleaned.get(f"{name}_month")
        year = cleaned.get(f"{name}_year")
        if f"{name}_year" in self.errors:
            return
        today = timezone.localdate()
        if year is None:
            if day is not None or month is not None:
                self.add_error(f"{name}_year", _("Please also give the year."))
            return
        if not EARLIEST_YEAR <= year <= today.year:
            self.add_error(
                f"{name}_year",
                _("Please give a year between %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": today.year},
            )
            return
        if day is not None and month is None:
            self.add_error(
                f"{name}_month", _("Please also give the month, or leave the day empty.")
            )
            return
        try:
            start = datetime.date(year, month or 1, day or 1)
        except ValueError:
            self.add_error(f"{name}_day", _("This day does not exist in that month."))
            return
        if start > today:
            self.add_error(f"{name}_year", _("This date is in the future."))

    # Reading -----------------------------------------------------------------

    def answers(self) -> dict[str, Any]:
        """The answered questions as ``{id: value}``; unanswered ones are left out."""
        result: dict[str, Any] = {}
        for question in self.question_defs:
            name = question["id"]
            if question["type"] == "when":
                year = self.cleaned_data.get(f"{name}_year")
                month = self.cleaned_data.get(f"{name}_month")
                day = self.cleaned_data.get(f"{name}_day")
                if year is None:
                    continue
                value = f"{year:04d}"
                if month is not None:
                    value += f"-{month:02d}"
                    if day is not None:
                        value += f"-{day:02d}"
                result[name] = value
                continue
            answer = self.cleaned_data.get(name)
            if answer not in (None, "", []):
                result[name] = answer
        return result

    def consents(self) -> list[tuple[str, bool, str]]:
        """(scope, granted, wording version) for each consent question shown."""
        return [
            (
                choice["scope"],
                bool(self.cleaned_data.get(f"consent_{choice['scope']}")),
                q.consent_wording_version(self.definition, choice["scope"]),
            )
            for choice in self.consent_choices
        ]

    # Showing -------------------------------------------------------------------

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[f"consent_{choice['scope']}"] for choice in self.consent_choices]

    def sections(self) -> list[Section]:
        lang = self.language
        result = []
        for section in self.section_defs:
            shown = Section(
                id=section["id"],
                title=q.tr(section["title"], lang),
                intro=q.tr(section.get("intro"), lang),
            )
            for question in section["questions"]:
                name = question["id"]
                names = (
                    [f"{name}_day", f"{name}_month", f"{name}_year"]
                    if question["type"] == "when"
                    else [name]
                )
                shown.questions.append(
                    Question(
                        id=name,
                        kind=question["type"],
                        label=q.tr(question["label"], lang),
                        required=question.get("required", False),
                        help=q.tr(question.get("help"), lang),
                        fields=[self[n] for n in names],
                    )
                )
            result.append(shown)
        return result

    def error_summary(self) -> list[tuple[str, str]]:
        # A date's parts are named after their question, not "Day" or "Year".
        labels = {
            f"{question['id']}_{part}": q.tr(question["label"], self.language)
            for question in self.question_defs
            if question["type"] == "when"
            for part in ("day", "month", "year")
        }
        return error_summary(self, labels)


def error_summary(form: forms.Form, labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(anchor, message) for every error, in page order, for the summary at the top."""
    summary = [("", str(error)) for error in form.non_field_errors()]
    for name in form.fields:
        bound = form[name]
        label = (labels or {}).get(name, bound.label)
        for error in bound.errors:
            summary.append((bound.auto_id or "", f"{label} — {error}"))
    return summary


# --- Follow-up ------------------------------------------------------------------


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=gettext_lazy("Your follow-up code"),
        help_text=gettext_lazy(
            "The 28 digits you were given when you sent your report. Spaces and dashes do not "
            "matter."
        ),
        max_length=200,
        error_messages={"required": gettext_lazy("Please type your follow-up code.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "inputmode": "numeric",
                "dir": "ltr",
            }
        ),
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your message to the desk"),
        max_length=MESSAGE_MAX_CHARS,
        widget=NoMaxLengthTextarea(attrs={"rows": 6}),
        error_messages={
            "required": gettext_lazy("Please write a message."),
            "max_length": gettext_lazy(
                "Please shorten this to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )


# --- Administrators ----------------------------------------------------------------


class QuestionnaireForm(forms.Form):
    definition = forms.CharField(
        label=gettext_lazy("Questionnaire definition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "dir": "ltr"}),
    )
    make_current = forms.BooleanField(
        label=gettext_lazy("Use this version for new reports"), required=False, initial=True
    )

    def clean_definition(self) -> dict[str, Any]:
        from amparo.intake.models import Questionnaire
        from amparo.reference.models import ReferenceList

        raw = self.cleaned_data["definition"]
        try:
            definition = json.loads(raw)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("This is not valid JSON (line %(line)d, column %(column)d): %(problem)s")
                % {"line": error.lineno, "column": error.colno, "problem": error.msg}
            ) from None
        known_lists = set(ReferenceList.objects.values_list("code", flat=True))
        errors = definition_errors(definition, known_lists=known_lists)
        if not errors and Questionnaire.objects.filter(version=definition["version"]).exists():
            errors.append(
                _("$.version: version %(version)s exists already; give the new one a new number.")
                % {"version": definition["version"]}
            )
        if errors:
            raise forms.ValidationError(errors)
        result: dict[str, Any] = definition
        return result


class DeskTextsForm(forms.Form):
    """One textarea per desk text and language; empty means "use the default"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.conf import settings

        for key, key_label in Key.choices:
            for code, language_name in settings.LANGUAGES:
                self.fields[f"{key}_{code}"] = forms.CharField(
                    required=False,
                    max_length=4000,
                    label=f"{key_label} ({language_name})",
                    widget=forms.Textarea(
                        attrs={"rows": 5, "lang": code, "dir": "rtl" if code == "ar" else "ltr"}
                    ),
                )


class EmergencyContactForm(forms.Form):
    """An administrator's emergency contact; the phone number in international form."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    phone = forms.RegexField(
        label=gettext_lazy("Phone number"),
        required=False,
        max_length=40,
        regex=r"^\+\d[\d .-]{5,30}\d$",
        help_text=gettext_lazy(
            "In international form, for example +353 1 210 0489: it becomes a link to tap."
        ),
        error_messages={
            "invalid": gettext_lazy(
                "Write the number in international form: + then the country code, "
                "for example +353 1 210 0489."
            )
        },
    )
    details = forms.CharField(
        label=gettext_lazy("Other ways to reach them, hours, languages"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    countries = forms.MultipleChoiceField(
        label=gettext_lazy("Countries"),
        required=False,
        help_text=gettext_lazy("None chosen: shown for every country."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    profiles = forms.MultipleChoiceField(
        label=gettext_lazy("Defender profiles"),
        required=False,
        help_text=gettext_lazy("None chosen: shown to everyone."),
        widget=forms.CheckboxSelectMultiple,
    )
    position = forms.IntegerField(label=gettext_lazy("Position"), min_value=0, initial=0)
    active = forms.BooleanField(
        label=gettext_lazy("Shown to reporters"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = reference.country_choices()  # type: ignore[attr-defined]
        self.fields["profiles"].choices = reference.choices("defender_profile")  # type: ignore[attr-defined]
