"""The assessment and measure forms. Everything typed here is encrypted by the actions."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.accounts.models import User
from amparo.protection.actions import (
    CAPACITY_LIST,
    RATINGS,
    TEXT_MAX_CHARS,
    VULNERABILITY_LIST,
    AssessmentValues,
    MeasureValues,
    Rating,
    Threat,
)
from amparo.protection.levels import Impact, Level, Likelihood
from amparo.protection.models import STATUS_MOVES, MeasureStatus
from amparo.reference import api as reference

RATING_CHOICES = [
    ("", _("Not rated")),
    ("low", _("Low")),
    ("medium", _("Medium")),
    ("high", _("High")),
]
AGREEMENT_CHOICES = [
    ("yes", _("Yes, the defender agreed")),
    ("no", _("No, the defender did not agree")),
    ("not_asked", _("Not asked yet")),
]


def _textarea(label: Any, help_text: Any = "", rows: int = 3, required: bool = False) -> Any:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=TEXT_MAX_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ThreatForm(forms.Form):
    """Front Line Defenders' five steps for one threat."""

    facts = _textarea(
        _("1. The facts"), _("What happened, when, how: only what is established."), required=False
    )
    pattern = _textarea(_("2. Pattern"), _("Is it part of a series of threats over time?"))
    objective = _textarea(_("3. Objective"), _("What does the threat seem to aim at?"))
    source_type = forms.ChoiceField(label=_("4. Source: who is behind it (type)"), required=False)
    source = _textarea(_("4. Source: what is known of who is behind it"), rows=2)
    conclusion = _textarea(
        _("5. Conclusion"), _("Is the threat likely to be carried out, and how soon?")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source_type"].choices = [  # type: ignore[attr-defined]
            ("", _("Not known")),
            *reference.choices("perpetrator"),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        written = any(str(data.get(name) or "").strip() for name in self.fields)
        if written and not str(data.get("facts") or "").strip():
            self.add_error("facts", _("Give the facts of this threat."))
        return data

    def threat(self) -> Threat | None:
        data = self.cleaned_data
        if not any(str(data.get(name) or "").strip() for name in self.fields):
            return None
        return Threat(**{name: data.get(name) or "" for name in self.fields})


ThreatFormSet = forms.formset_factory(ThreatForm, extra=1, max_num=20, absolute_max=20)


def _field_name(prefix: str, code: str) -> str:
    return f"{prefix}__{code.replace('.', '__')}"


class AssessmentForm(forms.Form):
    number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood: how likely is the threat to be carried out?"),
        choices=Likelihood.choices,
        coerce=int,
    )
    impact = forms.TypedChoiceField(
        label=_("Impact: how grave would it be for the defender?"),
        choices=Impact.choices,
        coerce=int,
    )
    clear_and_present = forms.BooleanField(
        label=_("Clear and present danger (the level is then critical)"), required=False
    )
    chosen_level = forms.ChoiceField(
        label=_("Level"),
        choices=[("", _("As the table gives it")), *Level.choices],
        required=False,
        help_text=_("Set another level only with a written reason below."),
    )
    override_reason = _textarea(_("Reason for setting another level"))
    review_on = forms.DateField(
        label=_("Re-assess on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Leave empty for the default: critical 3 days, high 14, medium 30, low 90 "
            "(the installation may set others)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checklist: list[tuple[str, str, list[tuple[str, list[tuple[str, str, str]]]]]] = []
        for list_code, prefix in ((VULNERABILITY_LIST, "v"), (CAPACITY_LIST, "c")):
            groups = []
            for area, items in reference.grouped_choices(list_code):
                rows = []
                for code, label in items:
                    rating, reason = _field_name(prefix, code), _field_name(prefix + "r", code)
                    self.fields[rating] = forms.ChoiceField(
                        label=label, choices=RATING_CHOICES, required=False
                    )
                    self.fields[reason] = forms.CharField(
                        label=_("Why"), required=False, max_length=TEXT_MAX_CHARS, strip=True
                    )
                    rows.append((code, rating, reason))
                groups.append((area, rows))
            self.checklist.append((list_code, prefix, groups))

    def checklist_fields(self) -> list[dict[str, Any]]:
        """The checklist for the template: lists, areas, then (rating, reason) bound fields."""
        titles = {
            VULNERABILITY_LIST: _("Vulnerabilities: what exposes the defender"),
            CAPACITY_LIST: _("Capacities: what protects the defender"),
        }
        return [
            {
                "title": titles[list_code],
                "areas": [
                    {"label": area, "rows": [(self[r], self[why]) for _c, r, why in rows]}
                    for area, rows in groups
                ],
            }
            for list_code, _prefix, groups in self.checklist
        ]

    def clean_review_on(self) -> datetime.date | None:
        day: datetime.date | None = self.cleaned_data.get("review_on")
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(_("Give a day after today."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for _list_code, _prefix, groups in self.checklist:
            for _area, rows in groups:
                for _code, rating, reason in rows:
                    if data.get(rating) and not data.get(reason):
                        self.add_error(reason, _("Say why you rate it so."))
        return data

    def ratings(self, list_code: str) -> dict[str, Rating]:
        result = {}
        for code_list, _prefix, groups in self.checklist:
            if code_list != list_code:
                continue
            for _area, rows in groups:
                for code, rating, reason in rows:
                    value = self.cleaned_data.get(rating)
                    if value in RATINGS:
                        result[code] = Rating(value, self.cleaned_data.get(reason, ""))
        return result

    def values(self, threats: list[Threat]) -> AssessmentValues:
        data = self.cleaned_data
        return AssessmentValues(
            threats=threats,
            likelihood=data["likelihood"],
            impact=data["impact"],
            vulnerabilities=self.ratings(VULNERABILITY_LIST),
            capacities=self.ratings(CAPACITY_LIST),
            clear_and_present=data["clear_and_present"],
            chosen_level=data["chosen_level"],
            override_reason=data["override_reason"],
            review_on=data["review_on"],
        )


def initial_from_content(content: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The form's and the threats' initial values from an assessment's content,
    so that a re-assessment starts from the current one."""
    initial: dict[str, Any] = {
        "likelihood": content.get("likelihood"),
        "impact": content.get("impact"),
        "clear_and_present": content.get("clear_and_present", False),
        "chosen_level": content.get("chosen_level", ""),
        "override_reason": content.get("override_reason", ""),
    }
    for key, prefix in (("vulnerabilities", "v"), ("capacities", "c")):
        for code, rated in content.get(key, {}).items():
            initial[_field_name(prefix, code)] = rated.get("rating", "")
            initial[_field_name(prefix + "r", code)] = rated.get("reason", "")
    return initial, list(content.get("threats", []))


class MeasureForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Measure"))
    status = forms.ChoiceField(label=_("Status"), required=False)
    description = _textarea(_("What is to be done"))
    owner = forms.TypedChoiceField(label=_("Owner on the desk"), required=False, coerce=int)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    defender_agreed = forms.ChoiceField(
        label=_("Did the defender agree?"),
        choices=AGREEMENT_CHOICES,
        initial="not_asked",
        widget=forms.RadioSelect,
    )
    outcome = _textarea(_("Outcome"))
    note = _textarea(_("Note on this change (kept in the measure's history)"), rows=2)
    show_to_reporter = forms.BooleanField(
        label=_("Show this measure to the reporter, in plain words, on their follow-up page"),
        required=False,
    )
    show_partner = forms.BooleanField(label=_("Also name who carries it out"), required=False)
    partner = forms.CharField(
        label=_("Who carries it out (partner), if outside the desk"),
        required=False,
        max_length=200,
        strip=True,
    )

    def __init__(
        self,
        *args: Any,
        owners: list[User],
        current_status: str | None = None,
        current_kind: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {user.pk: user for user in owners}
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", _("No one yet")),
            *((u.pk, u.get_full_name() or u.username) for u in owners),
        ]
        if current_kind is None:
            self.fields["kind"].choices = reference.grouped_choices(  # type: ignore[attr-defined]
                "protection_measure"
            )
            del self.fields["status"]
        else:
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                (current_kind, reference.term_label("protection_measure", current_kind))
            ]
            self.fields["kind"].disabled = True
            assert current_status is not None  # noqa: S101  an existing measure has one
            allowed = [current_status, *sorted(STATUS_MOVES[current_status])]
            labels = dict(MeasureStatus.choices)
            self.fields["status"].choices = [(s, labels[s]) for s in allowed]  # type: ignore[attr-defined]
            self.fields["status"].required = True

    def values(self) -> MeasureValues:
        data = self.cleaned_data
        return MeasureValues(
            kind=data["kind"],
            description=data["description"],
            owner=self.owners.get(data["owner"]) if data.get("owner") else None,
            due_on=data["due_on"],
            defender_agreed=data["defender_agreed"],
            outcome=data["outcome"],
            show_to_reporter=data["show_to_reporter"],
            show_partner=data["show_partner"],
            partner=data["partner"],
        )
