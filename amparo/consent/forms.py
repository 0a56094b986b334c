"""Forms of the consent pages: the reporter's choices and the team's records."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import ConsentScope
from amparo.consent import hooks
from amparo.consent.actions import REASON_MAX_CHARS, RISK_NOTE_MAX_CHARS
from amparo.consent.details import Detail

REPORTER_SCOPES = (ConsentScope.CONTACT, ConsentScope.STATISTICS, ConsentScope.PUBLISH)


def _not_past(day: datetime.date | None) -> datetime.date | None:
    if day is not None and day < timezone.localdate():
        raise forms.ValidationError(_("This date has passed: choose today or a later day."))
    return day


class ReporterChoiceForm(forms.Form):
    scope = forms.ChoiceField(
        choices=[(s.value, s.label) for s in REPORTER_SCOPES], widget=forms.HiddenInput
    )
    granted = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )


class SharingAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            ("agree", _("I agree to share these details with them")),
            ("refuse", _("I do not agree")),
        ],
        widget=forms.RadioSelect,
    )
    until = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        help_text=_("After this day your agreement ends by itself. Format: 2027-01-31."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_until(self) -> datetime.date | None:
        return _not_past(self.cleaned_data.get("until"))


class WithdrawSharingForm(forms.Form):
    # The public id of the grant to end, or empty for "every partner".
    consent = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)


def partner_choices() -> list[tuple[str, Any]]:
    return [("", _("(choose a partner)")), *hooks.sharing_partners()]


def kind_choices() -> list[tuple[str, Any]]:
    return [("", _("(or choose a kind of partner)")), *hooks.partner_kinds()]


class _TargetForm(forms.Form):
    partner = forms.ChoiceField(label=_("Partner"), required=False)
    partner_kind = forms.ChoiceField(label=_("Or any partner of this kind"), required=False)
    details = forms.MultipleChoiceField(
        label=_("Exactly which details"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, details: list[Detail], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["partner"]).choices = partner_choices()
        cast(forms.ChoiceField, self.fields["partner_kind"]).choices = kind_choices()
        cast(forms.ChoiceField, self.fields["details"]).choices = [
            (detail.code, detail.label) for detail in details
        ]

    def clean_partner(self) -> Model | None:
        public_id = self.cleaned_data.get("partner")
        if not public_id:
            return None
        partner = hooks.sharing_partner(public_id)
        if partner is None:
            raise forms.ValidationError(_("Choose a partner from the list."))
        return partner

    def check_target(self, cleaned: dict[str, Any], *, required: bool) -> None:
        partner, kind = cleaned.get("partner"), cleaned.get("partner_kind")
        if partner and kind:
            raise forms.ValidationError(
                _("Choose one partner or one kind of partner, not both."), code="one_target"
            )
        if required and not partner and not kind:
            raise forms.ValidationError(
                _("Choose a partner or a kind of partner."), code="no_partner"
            )


class ProposeSharingForm(_TargetForm):
    reason = forms.CharField(
        label=_("Why (the reporter reads this)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MAX_CHARS,
        help_text=_(
            "Say in plain words what the partner could do and what sharing could risk. "
            "Stored encrypted."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_target(cleaned, required=True)
        if not cleaned.get("details") and "details" not in self.errors:
            self.add_error("details", _("Choose at least one detail."))
        return cleaned


class StaffConsentForm(_TargetForm):
    scope = forms.ChoiceField(label=_("Consent to"), choices=ConsentScope.choices)
    granted = forms.TypedChoiceField(
        label=_("The person's choice"),
        choices=[("yes", _("Agreed")), ("no", _("Refused or withdrew"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    until = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    risk_note = forms.CharField(
        label=_("What the person was told about the risks"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=RISK_NOTE_MAX_CHARS,
        help_text=_(
            "Required: what you explained (who would see what, what could go wrong) and "
            "how the person answered. Stored encrypted."
        ),
    )

    def clean_until(self) -> datetime.date | None:
        return _not_past(self.cleaned_data.get("until"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        scope = cleaned.get("scope")
        if scope == ConsentScope.SHARE:
            self.check_target(cleaned, required=bool(cleaned.get("granted")))
            if cleaned.get("granted") and not cleaned.get("details"):
                self.add_error("details", _("Choose at least one detail."))
        elif cleaned.get("partner") or cleaned.get("partner_kind") or cleaned.get("details"):
            raise forms.ValidationError(
                _("A partner and details go only with a consent to share."),
                code="partner_only_for_sharing",
            )
        return cleaned
