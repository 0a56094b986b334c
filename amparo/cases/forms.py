"""The desk's forms. Every form that changes a case carries the version it was
rendered from (``version``), so a stale form is refused rather than applied."""

from __future__ import annotations

import datetime
import re
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.cases.actions.desk import MESSAGE_MAX_CHARS, NOTE_MAX_CHARS, REASON_MAX_CHARS
from amparo.cases.attention import lists as attention_lists
from amparo.cases.models import Stage, Urgency
from amparo.reference import api as reference
from amparo.reference.models import SESSION_WORDING, SessionMode, SessionTiming

Choices = list[tuple[str, str]]


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    #: The case page holds several of these forms: their element ids must differ.
    id_prefix = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


def _length_check(text: str, limit: int) -> str:
    # No maxlength attribute on the textarea: a browser would silently cut a
    # pasted text short. The server says how much is too much instead.
    if len(text) > limit:
        raise forms.ValidationError(
            _(
                "This text is too long: %(length)s characters, and the limit is %(limit)s. "
                "Nothing was sent or saved. Shorten it or split it in several parts."
            ),
            code="too_long",
            params={"length": f"{len(text):,}", "limit": f"{limit:,}"},
        )
    return text


class MessageForm(VersionedForm):
    id_prefix = "message"
    text = forms.CharField(
        label=_("Message to the reporter"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The reporter reads it on their follow-up page with their code. "
            "Do not ask for more than you need."
        ),
    )

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(_("Write a message first."), code="required")
        return _length_check(text, MESSAGE_MAX_CHARS)


class NoteForm(VersionedForm):
    id_prefix = "note"
    text = forms.CharField(
        label=_("Internal note"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only the desk sees notes; the reporter never does."),
    )

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(_("Write a note first."), code="required")
        return _length_check(text, NOTE_MAX_CHARS)


class StageForm(VersionedForm):
    """One form, one button per allowed move (works without JavaScript)."""

    id_prefix = "stage"

    to = forms.ChoiceField(choices=Stage.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to close a case, to record it as not a reprisal, and to re-open it."),
    )
    original = forms.CharField(
        label=_("Original case (for a duplicate)"),
        required=False,
        max_length=20,
        help_text=_("The reference of the case this one repeats, e.g. AMP-2026-0042."),
    )
    yearly_follow_up = forms.BooleanField(
        label=_("Follow up once a year after closing"), required=False
    )

    def clean_reason(self) -> str:
        return _length_check(self.cleaned_data["reason"], REASON_MAX_CHARS)


class AssignForm(VersionedForm):
    id_prefix = "assign"
    # An integer, not a ModelChoiceField limited to handlers: a request naming
    # someone else must get the desk's own clear message, not "invalid choice".
    assignee = forms.IntegerField(label=_("Assign to"), required=False)

    def __init__(self, *args: Any, handlers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [("", _("No one (unassigned)"))]
        options += [(str(user.pk), user.get_full_name() or user.username) for user in handlers]
        self.fields["assignee"].widget = forms.Select(choices=options)


class LinkForm(VersionedForm):
    id_prefix = "link"
    reference = forms.CharField(
        label=_("Related case"),
        max_length=20,
        help_text=_("The reference of a case you can see, e.g. AMP-2026-0042."),
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        help_text=_(
            "Words from the report, the messages, the notes, the file names or the coding, "
            "in any language. Accents and capitals do not matter."
        ),
        widget=forms.TextInput(attrs={"type": "search"}),
    )


# --- Inbox ------------------------------------------------------------------------

OPEN = "open"
ALL = "all"
ME = "me"
NOBODY = "none"

SORTS: dict[str, tuple[str, ...]] = {
    "priority": ("-is_urgent", "-last_activity_on", "-pk"),
    "received": ("-received_on", "-pk"),
    "received_oldest": ("received_on", "pk"),
    "activity": ("-last_activity_on", "-pk"),
    "reference": ("reference",),
}


class InboxFilterForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("Any")), *Urgency.choices],
    )
    assignee = forms.ChoiceField(label=_("Handler"), required=False)
    situation = forms.ChoiceField(label=_("ICC situation"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    reprisal_type = forms.ChoiceField(label=_("Type of reprisal"), required=False)
    attention = forms.ChoiceField(label=_("Needs attention"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("priority", _("Urgent first, then latest activity")),
            ("received", _("Received, newest first")),
            ("received_oldest", _("Received, oldest first")),
            ("activity", _("Latest activity first")),
            ("reference", _("Reference")),
        ],
    )

    def __init__(self, *args: Any, handlers: list[Any] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "stage").choices = [
            (OPEN, _("Open cases")),
            (ALL, _("All stages")),
            *Stage.choices,
        ]
        if handlers is None:
            # A handler sees only their own cases: the filter would mean nothing.
            del self.fields["assignee"]
        else:
            _choice_field(self, "assignee").choices = [
                ("", _("Anyone")),
                (ME, _("Me")),
                (NOBODY, _("No one yet")),
                *[(str(user.pk), user.get_full_name() or user.username) for user in handlers],
            ]
        _choice_field(self, "situation").choices = [("", _("Any")), *reference.situation_choices()]
        _choice_field(self, "attention").choices = [
            ("", _("Any")),
            ("any", _("Anything overdue")),
            *((item.code, item.title) for item in attention_lists()),
        ]
        _choice_field(self, "country").choices = [("", _("Any")), *reference.country_choices()]
        _choice_field(self, "reprisal_type").choices = [
            ("", _("Any")),
            *reference.grouped_choices("reprisal_type", include_inactive=True),
        ]

    def value(self, name: str) -> str:
        """The cleaned filter, or "" when the form is invalid or the field absent."""
        if not self.is_valid():
            return ""
        return str(self.cleaned_data.get(name) or "")


# --- Coding -------------------------------------------------------------------------


def _with_current(options: Choices, current: list[str], label: Any) -> Choices:
    """``options`` plus any value the case already holds (e.g. a retired term), so
    re-saving a coding never fails because a list changed since."""
    known = {code for code, _label in options}
    extra = [(code, label(code)) for code in current if code and code not in known]
    return options + extra


def _with_current_grouped(
    groups: list[tuple[str, Choices]], current: list[str], label: Any
) -> list[tuple[str, Choices]]:
    known = {code for _group, options in groups for code, _label in options}
    extra = [(code, label(code)) for code in current if code and code not in known]
    return [*groups, (str(_("No longer in the list")), extra)] if extra else groups


MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
# The Rome Statute was adopted on 17 July 1998.
EARLIEST_YEAR = 1998


class CodingForm(forms.Form):
    reprisal_types = forms.MultipleChoiceField(
        label=_("Types of reprisal"),
        required=False,
        help_text=_("Choose every type that applies (hold Ctrl or ⌘ to choose several)."),
        widget=forms.SelectMultiple(attrs={"size": 14}),
    )
    target = forms.ChoiceField(label=_("Who was targeted"), required=False)
    defender_profiles = forms.MultipleChoiceField(
        label=_("Defender profile"), required=False, widget=forms.CheckboxSelectMultiple
    )
    engagement = forms.MultipleChoiceField(
        label=_("Engagement with the Rome Statute system"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    situation = forms.ChoiceField(label=_("ICC situation"), required=False)
    country = forms.ChoiceField(label=_("Country where it happened"), required=False)
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        help_text=_("Leave as it is to use the country's UN region."),
    )
    month = forms.CharField(
        label=_("Month it happened"),
        required=False,
        max_length=7,
        help_text=_("Year and month, e.g. 2026-03. Never a day."),
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM", "inputmode": "numeric"}),
    )
    assembly_session = forms.ChoiceField(label=SESSION_WORDING["session"], required=False)
    assembly_timing = forms.ChoiceField(
        label=SESSION_WORDING["timing"],
        required=False,
        choices=[("", "—"), *SessionTiming.choices],
    )
    assembly_mode = forms.ChoiceField(
        label=SESSION_WORDING["mode"],
        required=False,
        choices=[("", "—"), *SessionMode.choices],
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    session_legend = SESSION_WORDING["legend"]
    session_help = SESSION_WORDING["help"]

    def __init__(self, *args: Any, current: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = current or {}
        _choice_field(self, "assembly_session").choices = [
            ("", "—"),
            *reference.session_choices(),
        ]

        def term(list_code: str) -> Any:
            return lambda code: reference.term_label(list_code, code)

        _choice_field(self, "reprisal_types").choices = _with_current_grouped(
            reference.grouped_choices("reprisal_type"),
            current.get("reprisal_types", []),
            term("reprisal_type"),
        )
        _choice_field(self, "target").choices = [
            ("", "—"),
            *_with_current(
                reference.choices("target"), [current.get("target", "")], term("target")
            ),
        ]
        _choice_field(self, "defender_profiles").choices = _with_current(
            reference.choices("defender_profile"),
            current.get("defender_profiles", []),
            term("defender_profile"),
        )
        _choice_field(self, "engagement").choices = _with_current(
            reference.choices("engagement"), current.get("engagement", []), term("engagement")
        )
        _choice_field(self, "situation").choices = [("", "—"), *reference.situation_choices()]
        _choice_field(self, "country").choices = [("", "—"), *reference.country_choices()]
        _choice_field(self, "region").choices = [
            ("", _("From the country")),
            *reference.region_choices(),
        ]

    def clean_month(self) -> datetime.date | None:
        text = self.cleaned_data["month"].strip()
        if not text:
            return None
        match = MONTH_RE.match(text)
        if not match:
            raise forms.ValidationError(_("Write the month as YYYY-MM, e.g. 2026-03."))
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise forms.ValidationError(_("Write the month as YYYY-MM, e.g. 2026-03."))
        first = datetime.date(year, month, 1)
        today = timezone.localdate()
        if year < EARLIEST_YEAR or first > today.replace(day=1):
            raise forms.ValidationError(
                _("The month must lie between 1998 and this month."), code="out_of_range"
            )
        return first

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("region") and cleaned.get("country"):
            cleaned["region"] = reference.region_for(cleaned["country"])
        if cleaned.get("assembly_session") and not cleaned.get("assembly_timing"):
            self.add_error("assembly_timing", SESSION_WORDING["timing_missing"])
        if not cleaned.get("assembly_session") and (
            cleaned.get("assembly_timing") or cleaned.get("assembly_mode")
        ):
            self.add_error("assembly_session", SESSION_WORDING["session_missing"])
        return cleaned


class PerpetratorForm(forms.Form):
    perpetrator = forms.ChoiceField(label=_("Perpetrator"), required=False)
    involvement = forms.ChoiceField(label=_("Involvement"), required=False)
    confidence = forms.ChoiceField(label=_("Confidence"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, list_code in (
            ("perpetrator", "perpetrator"),
            ("involvement", "involvement"),
            ("confidence", "confidence"),
        ):
            current = self.initial.get(name) or (self.data.get(self.add_prefix(name)) or "")
            _choice_field(self, name).choices = [
                ("", "—"),
                *_with_current(
                    reference.choices(list_code),
                    [current] if current in self._known(list_code) else [],
                    lambda code, lc=list_code: reference.term_label(lc, code),
                ),
            ]

    @staticmethod
    def _known(list_code: str) -> set[str]:
        # Retired terms stay selectable for a case that already has them, but
        # an unknown code typed into a request is refused as an invalid choice.
        return set(reference.term_labels(list_code))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("perpetrator") and (
            cleaned.get("involvement") or cleaned.get("confidence")
        ):
            self.add_error("perpetrator", _("Choose the perpetrator for this row, or clear it."))
        return cleaned


BasePerpetratorFormSet = forms.formset_factory(
    PerpetratorForm, extra=0, max_num=20, validate_max=True, absolute_max=40
)

PERPETRATOR_PREFIX = "perpetrators"
BLANK_PERPETRATOR_ROWS = 3


def perpetrator_formset(
    data: Any = None, *, initial: list[dict[str, str]] | None = None, add_row: bool = False
) -> Any:
    """The perpetrator rows: the saved ones plus blank ones; "add another" adds one more."""
    if data is not None:
        if add_row:
            data = data.copy()
            key = f"{PERPETRATOR_PREFIX}-TOTAL_FORMS"
            try:
                data[key] = str(min(int(data.get(key, "0")) + 1, 20))
            except ValueError:
                data[key] = "1"
        return BasePerpetratorFormSet(data, prefix=PERPETRATOR_PREFIX)
    rows = list(initial or []) + [{} for _ in range(BLANK_PERPETRATOR_ROWS)]
    formset_class = forms.formset_factory(
        PerpetratorForm, extra=len(rows) - len(initial or []), max_num=20, validate_max=True
    )
    return formset_class(initial=initial or None, prefix=PERPETRATOR_PREFIX)


# --- Entering a case on someone's behalf -------------------------------------------


class EnterCaseForm(forms.Form):
    """The questionnaire's questions (``answer_<id>`` fields) plus what the desk records."""

    language = forms.ChoiceField(label=_("Language of the report"), choices=settings.LANGUAGES)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    consent_store = forms.BooleanField(
        label=_("The person agrees that the desk stores the report and acts on it."),
        required=True,
    )
    consent_contact = forms.BooleanField(
        label=_("The person agrees to be contacted by the desk."), required=False
    )
    consent_statistics = forms.BooleanField(
        label=_("The person agrees to be counted in anonymised statistics."), required=False
    )
    wants_receipt = forms.BooleanField(
        label=_("The person wants a follow-up code to read the desk's messages online."),
        required=False,
        help_text=_("It is shown once, on the next page: read it out or hand it over safely."),
    )

    PREFIX = "answer_"

    def __init__(self, *args: Any, questions: list[tuple[str, forms.Field]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        answer_fields = {f"{self.PREFIX}{qid}": field for qid, field in questions}
        # Questions first, then the desk's own fields.
        self.fields = {**answer_fields, **self.fields}
        self.question_names = list(answer_fields)

    def answer_boundfields(self) -> list[Any]:
        return [self[name] for name in self.question_names]

    def desk_boundfields(self) -> list[Any]:
        return [self[name] for name in self.fields if name not in self.question_names]

    def answers(self) -> dict[str, Any]:
        """``{question id: value}``, leaving out what was not answered."""
        return {
            name.removeprefix(self.PREFIX): value
            for name in self.question_names
            if (value := self.cleaned_data.get(name)) not in (None, "", [])
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(
            (str(value).strip() if isinstance(value, str) else value)
            for name in self.question_names
            if (value := cleaned.get(name))
        ):
            raise forms.ValidationError(
                _("Write down at least what happened: every answer is empty."), code="empty"
            )
        total = sum(
            len(value)
            for name in self.question_names
            if isinstance(value := cleaned.get(name), str)
        )
        if total > 5 * MESSAGE_MAX_CHARS:
            raise forms.ValidationError(_("This report is too long to be stored."), code="too_long")
        return cleaned
