"""Forms for editing the reference data in the desk."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.reference import api
from amparo.reference.models import (
    LANGUAGE_CODES,
    ReferenceList,
    SituationStatus,
    Term,
    check_state_party_dates,
    term_code_validator,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _text(language: str, label: StrOrPromise, *, max_length: int = 200) -> forms.CharField:
    # Each field declares its language, so screen readers and the browser's
    # spell-checker use the right one, and Arabic is typed right-to-left.
    attrs = {"lang": language, "dir": "rtl" if language == "ar" else "ltr"}
    return forms.CharField(label=label, max_length=max_length, widget=forms.TextInput(attrs=attrs))


def _not_in_future(day: datetime.date) -> datetime.date:
    if day > timezone.localdate():
        raise ValidationError(_("This date is in the future."))
    return day


class ListForm(forms.Form):
    as_of = forms.DateField(
        label=_("Checked on"),
        help_text=_("The date the list's content was last checked against its source."),
        widget=DateInput(),
    )
    source = forms.CharField(
        label=_("Source"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def clean_as_of(self) -> datetime.date:
        return _not_in_future(self.cleaned_data["as_of"])


class TermForm(forms.Form):
    label_en = _text("en", _("Label in English"))
    label_fr = _text("fr", _("Label in French"))
    label_es = _text("es", _("Label in Spanish"))
    label_ar = _text("ar", _("Label in Arabic"))
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=10000,
        help_text=_("Terms are shown in increasing order of position."),
    )
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_(
            "Inactive terms are no longer offered for coding; cases already coded keep them."
        ),
    )

    def labels(self) -> dict[str, str]:
        return {lang: self.cleaned_data[f"label_{lang}"] for lang in LANGUAGE_CODES}


class NewTermForm(TermForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=100,
        validators=[term_code_validator],
        help_text=_(
            "A stable identifier stored in cases; it cannot be changed later. "
            "Items of a category start with the category's code and a dot, "
            "e.g. threats.phone_threat."
        ),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocapitalize": "none"}),
    )
    parent = forms.ChoiceField(label=_("Category"), required=False)
    field_order = ["code", "parent"]

    def __init__(self, reference_list: ReferenceList, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reference_list = reference_list
        # Only existing categories can take new items: a term that is a
        # choice today must stay one, or cases coded with it would point at
        # a heading.
        self.categories = {
            term.code: term
            for term in Term.objects.filter(
                reference_list=reference_list, parent__isnull=True, children__isnull=False
            ).distinct()
        }
        if self.categories:
            parent_field = self.fields["parent"]
            assert isinstance(parent_field, forms.ChoiceField)  # noqa: S101
            parent_field.choices = [
                ("", _("None: a choice of its own")),
                *((code, term.label()) for code, term in self.categories.items()),
            ]
        else:
            del self.fields["parent"]
        self.fields["position"].required = False
        self.fields["position"].help_text = _("Leave empty to add the term at the end.")
        self.fields["active"].initial = True

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if Term.objects.filter(reference_list=self.reference_list, code=code).exists():
            raise ValidationError(_("This list already has a term with this code."))
        return code

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        code = cleaned.get("code")
        parent = self.categories.get(cleaned.get("parent") or "")
        cleaned["parent"] = parent
        if code is None:
            return cleaned
        if parent is not None and not code.startswith(f"{parent.code}."):
            self.add_error(
                "code",
                _("An item of this category needs a code that starts with “%(prefix)s”.")
                % {"prefix": f"{parent.code}."},
            )
        elif parent is None and "." in code:
            self.add_error("code", _("Only an item of a category has a dot in its code."))
        return cleaned


class SituationForm(forms.Form):
    name_en = _text("en", _("Name in English"))
    name_fr = _text("fr", _("Name in French"))
    name_es = _text("es", _("Name in Spanish"))
    name_ar = _text("ar", _("Name in Arabic"))
    status = forms.ChoiceField(label=_("Status"), choices=SituationStatus.choices)
    status_date = forms.DateField(
        label=_("Status since"),
        required=False,
        help_text=_("When the status took effect, as the source gives it; empty if unknown."),
        widget=DateInput(),
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=api.country_choices,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    as_of = forms.DateField(label=_("Checked on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def clean_as_of(self) -> datetime.date:
        return _not_in_future(self.cleaned_data["as_of"])

    def names(self) -> dict[str, str]:
        return {lang: self.cleaned_data[f"name_{lang}"] for lang in LANGUAGE_CODES}


class StatePartyForm(forms.Form):
    instrument_deposited = forms.DateField(
        label=_("Instrument deposited"),
        help_text=_("Ratification, acceptance, approval, accession or succession."),
        widget=DateInput(),
    )
    entry_into_force = forms.DateField(label=_("Entry into force"), widget=DateInput())
    withdrawal_notified = forms.DateField(
        label=_("Withdrawal notified"), required=False, widget=DateInput()
    )
    withdrawal_effective = forms.DateField(
        label=_("Withdrawal effective"),
        required=False,
        help_text=_("One year after the Secretary-General received the notification."),
        widget=DateInput(),
    )
    as_of = forms.DateField(label=_("Checked on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def clean_as_of(self) -> datetime.date:
        return _not_in_future(self.cleaned_data["as_of"])

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        try:
            check_state_party_dates(
                cleaned.get("instrument_deposited"),
                cleaned.get("entry_into_force"),
                cleaned.get("withdrawal_notified"),
                cleaned.get("withdrawal_effective"),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned
